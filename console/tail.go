package console

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/uketsuke/uketsuke/app/audit"
	appconsole "github.com/uketsuke/uketsuke/app/console"
)

// logTail feeds the audit log's lines to the tally as they are written:
// each poll reads what was appended since the last. When a file rotated
// (it is another file now, or shorter), everything is read again, the
// rotated generations first.
type logTail struct {
	dir   string
	tally *appconsole.Tally
	mu    sync.Mutex
	files [2]tailed
}

type tailed struct {
	name string
	feed func(*appconsole.Tally, []byte)
	info os.FileInfo
	off  int64
	rest []byte // a line not yet finished
}

// maxGenerations is how many rotated generations are read (audit keeps 5 by default).
const maxGenerations = 20

func newLogTail(dir string, t *appconsole.Tally) *logTail {
	return &logTail{dir: dir, tally: t, files: [2]tailed{
		{name: audit.OperationFile, feed: (*appconsole.Tally).AddOperation},
		{name: audit.ErrorFile, feed: (*appconsole.Tally).AddError}}}
}

// poll reads what is new; a file that cannot be read is left for the next poll.
func (l *logTail) poll() {
	if l.dir == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rotated() {
		l.tally.Reset()
		for i := range l.files {
			f := &l.files[i]
			f.info, f.off, f.rest = nil, 0, nil
			for g := maxGenerations; g >= 1; g-- {
				l.readAll(f, filepath.Join(l.dir, fmt.Sprintf("%s.%d", f.name, g)))
			}
		}
	}
	for i := range l.files {
		l.readNew(&l.files[i])
	}
}

func (l *logTail) rotated() bool {
	for _, f := range l.files {
		info, err := os.Stat(filepath.Join(l.dir, f.name))
		if err != nil {
			continue
		}
		if f.info == nil || !os.SameFile(info, f.info) || info.Size() < f.off {
			return true
		}
	}
	return false
}

func (l *logTail) readAll(f *tailed, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		f.feed(l.tally, line)
	}
}

func (l *logTail) readNew(f *tailed) {
	file, err := os.Open(filepath.Join(l.dir, f.name))
	if err != nil {
		return
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return
	}
	if f.info != nil && !os.SameFile(info, f.info) {
		return // rotated between the check and now: the next poll reads it again
	}
	f.info = info
	if _, err := file.Seek(f.off, io.SeekStart); err != nil {
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, info.Size()-f.off))
	if err != nil {
		return
	}
	f.off += int64(len(data))
	data = append(f.rest, data...)
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		f.rest = data
		return
	}
	f.rest = append([]byte(nil), data[end+1:]...)
	for _, line := range bytes.Split(data[:end], []byte("\n")) {
		f.feed(l.tally, line)
	}
}
