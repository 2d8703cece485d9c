package cli

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// A face set is a folder of people to measure on. Folders come in the
// layouts of ../shared/faces (see its README):
//
//	--dir PATH         one set: each sub-folder is a person (LFW), and each
//	                   image directly in PATH is a person of its own
//	--sets PATH        each sub-folder of PATH is a --dir set
//	--singles PATH     one set: every image below PATH is its own person
//	                   (studio portraits split into sub-folders by source)
//	--one-person PATH  one set: every image below PATH shows the same person
//	                   (frame sequences)
type faceSet struct {
	name   string
	people []person
}

// person is one identity of a set; group is the population group the set's
// file names declare ("" when they declare none).
type person struct {
	name  string
	group string
	files []string
}

func (s faceSet) images() int {
	n := 0
	for _, p := range s.people {
		n += len(p.files)
	}
	return n
}

// setSources collects the repeatable set flags in command-line order.
type setSources struct {
	specs []setSpec
}

type setSpec struct{ kind, path string }

// kindFlag adds one kind of set source to the list each time it is given.
type kindFlag struct {
	kind string
	to   *setSources
}

func (k kindFlag) String() string { return "" }

func (k kindFlag) Set(v string) error {
	k.to.specs = append(k.to.specs, setSpec{k.kind, v})
	return nil
}

func (s *setSources) register(fs *flag.FlagSet) {
	fs.Var(kindFlag{"dir", s}, "dir", "a set: one sub-folder per person, or one image per person (repeatable)")
	fs.Var(kindFlag{"sets", s}, "sets", "a folder of sets, one per sub-folder (repeatable)")
	fs.Var(kindFlag{"singles", s}, "singles", "a set where every image below the folder is its own person (repeatable)")
	fs.Var(kindFlag{"one-person", s}, "one-person", "a set where every image below the folder is the same person (repeatable)")
}

// load lists every set; limit caps the images of each set (whole people).
func (s *setSources) load(limit int) ([]faceSet, error) {
	var sets []faceSet
	for _, sp := range s.specs {
		var got []faceSet
		var err error
		switch sp.kind {
		case "dir":
			var set faceSet
			set, err = loadDirSet(sp.path, limit)
			got = []faceSet{set}
		case "sets":
			got, err = loadSetsFolder(sp.path, limit)
		case "singles":
			got, err = loadSinglesSet(sp.path, limit)
		case "one-person":
			got, err = loadOnePersonSet(sp.path, limit)
		}
		if err != nil {
			return nil, err
		}
		sets = append(sets, got...)
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("%w: give at least one --dir, --sets, --singles or --one-person", ErrUsage)
	}
	return sets, nil
}

func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

func loadDirSet(dir string, limit int) (faceSet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return faceSet{}, err
	}
	set := faceSet{name: filepath.Base(filepath.Clean(dir))}
	n := 0
	for _, e := range entries {
		var p person
		switch {
		case e.IsDir():
			files, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*"))
			files = slices.DeleteFunc(files, func(f string) bool { return !isImageFile(f) })
			sort.Strings(files)
			p = person{name: e.Name(), files: files}
		case isImageFile(e.Name()):
			p = person{name: e.Name(), group: groupOf(e.Name()), files: []string{filepath.Join(dir, e.Name())}}
		}
		if len(p.files) == 0 {
			continue
		}
		if limit > 0 && n+len(p.files) > limit {
			break
		}
		set.people = append(set.people, p)
		n += len(p.files)
	}
	if n == 0 {
		return faceSet{}, fmt.Errorf("%w: no images in %s", ErrUsage, dir)
	}
	return set, nil
}

func loadSetsFolder(dir string, limit int) ([]faceSet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var sets []faceSet
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		s, err := loadDirSet(filepath.Join(dir, e.Name()), limit)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("%w: no sets (sub-folders) in %s", ErrUsage, dir)
	}
	return sets, nil
}

// spreadOut keeps limit files evenly spread over the sorted list, so that
// a subset of a set split into sources (3dsk/, canada/) draws from each.
func spreadOut(files []string, limit int) []string {
	if limit <= 0 || len(files) <= limit {
		return files
	}
	out := make([]string, limit)
	for i := range out {
		out[i] = files[i*len(files)/limit]
	}
	return out
}

// imagesBelow lists every image file under dir, sorted (limit: evenly
// spread over them).
func imagesBelow(dir string, limit int) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isImageFile(path) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	files = spreadOut(files, limit)
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no images below %s", ErrUsage, dir)
	}
	return files, nil
}

func loadSinglesSet(dir string, limit int) ([]faceSet, error) {
	files, err := imagesBelow(dir, limit)
	if err != nil {
		return nil, err
	}
	set := faceSet{name: filepath.Base(filepath.Clean(dir))}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		set.people = append(set.people, person{name: rel, group: groupOf(f), files: []string{f}})
	}
	return []faceSet{set}, nil
}

func loadOnePersonSet(dir string, limit int) ([]faceSet, error) {
	files, err := imagesBelow(dir, limit)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(filepath.Clean(dir))
	return []faceSet{{name: name, people: []person{{name: name, files: files}}}}, nil
}

// Gender as the controlled sets write it in their file names: 3DSK's
// "female_agata.jpg", the Canadian set's "003f.jpg".
var (
	groupWord   = regexp.MustCompile(`^(female|male)_`)
	groupSuffix = regexp.MustCompile(`^[0-9]+([fm])$`)
)

// groupOf is the group a file name declares, or "" when it declares none.
func groupOf(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if m := groupWord.FindStringSubmatch(base); m != nil {
		return m[1]
	}
	if m := groupSuffix.FindStringSubmatch(base); m != nil {
		return map[string]string{"f": "female", "m": "male"}[m[1]]
	}
	return ""
}
