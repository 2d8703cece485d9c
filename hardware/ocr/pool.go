package ocr

import (
	"context"
	"errors"
	"image"
	"sync"

	"github.com/uketsuke/uketsuke/app/cardscan"
)

// ErrClosed is returned by a pool after Close.
var ErrClosed = errors.New("ocr: pool closed")

// Pool is a fixed set of Tesseract workers shared by concurrent callers.
// It implements cardscan.OCR.
type Pool struct {
	idle    chan *engine
	all     []*engine
	scanner *cardscan.Scanner
	once    sync.Once
	done    chan struct{}
}

// DefaultLangs are what the card-face scan needs.
var DefaultLangs = []string{"jpn", "eng"}

// NewPool starts n workers (at least 1), each with one client per language,
// loaded now. Start the process with OMP_THREAD_LIMIT=1 (see
// RestartWithThreadLimit) so that n workers use n cores.
func NewPool(n int, langs ...string) (*Pool, error) {
	if n < 1 {
		n = 1
	}
	if len(langs) == 0 {
		langs = DefaultLangs
	}
	p := &Pool{idle: make(chan *engine, n), done: make(chan struct{})}
	for i := 0; i < n; i++ {
		e, err := newEngine(langs)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.all = append(p.all, e)
		p.idle <- e
	}
	p.scanner = cardscan.New(p)
	return p, nil
}

// Recognize borrows a worker, waiting for one until ctx ends.
func (p *Pool) Recognize(ctx context.Context, req cardscan.OCRRequest) (cardscan.OCRResult, error) {
	if err := ctx.Err(); err != nil {
		return cardscan.OCRResult{}, err
	}
	select {
	case e := <-p.idle:
		defer func() { p.idle <- e }()
		return e.recognize(req)
	case <-ctx.Done():
		return cardscan.OCRResult{}, ctx.Err()
	case <-p.done:
		return cardscan.OCRResult{}, ErrClosed
	}
}

// Scan reads a card-face image with this pool's workers. It stops between
// recognitions when ctx ends; one recognition runs for tens of milliseconds.
// Afterwards every worker forgets the card: its clients read a blank image.
func (p *Pool) Scan(ctx context.Context, img image.Image) (*cardscan.Result, error) {
	res, err := p.scanner.Scan(ctx, img)
	if ferr := p.forget(); ferr != nil && err == nil {
		res.Destroy()
		return nil, ferr
	}
	return res, err
}

// forget blanks every worker as it comes back idle.
func (p *Pool) forget() error {
	var errs []error
	for range p.all {
		select {
		case e := <-p.idle:
			errs = append(errs, e.forget())
			p.idle <- e
		case <-p.done:
			return ErrClosed
		}
	}
	return errors.Join(errs...)
}

// Close waits for busy workers to come back and frees every client.
func (p *Pool) Close() error {
	p.once.Do(func() {
		close(p.done)
		for range p.all {
			e := <-p.idle
			e.close()
		}
	})
	return nil
}
