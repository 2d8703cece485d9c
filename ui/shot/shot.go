// Package shot renders any kiosk screen in any language to an image with
// Fyne's headless test driver (software painter, no OpenGL, no display),
// for `uketsuke screenshot` and `make screenshots`.
package shot

import (
	"errors"
	"fmt"
	"image"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/ui"
	"github.com/uketsuke/uketsuke/ui/theme"
)

// ErrUnknownScreen is returned for a screen name Samples does not have.
var ErrUnknownScreen = errors.New("shot: unknown screen")

// Options choose what to render.
type Options struct {
	Lang          i18n.Lang
	Screen        string // a ui.Samples name
	LargeText     bool
	HighContrast  bool
	Width, Height float32 // 0: the reference 1280×800 screen
}

var (
	appOnce sync.Once
	mu      sync.Mutex // one headless app, one render at a time
)

// Render draws one screen.
func Render(o Options) (image.Image, error) {
	sm, ok := ui.SampleByName(o.Screen)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownScreen, o.Screen)
	}
	if _, err := i18n.Info(o.Lang); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	// Fyne's test driver wants its calls off the process's main goroutine.
	done := make(chan image.Image)
	go func() { done <- render(o, sm) }()
	return <-done, nil
}

func render(o Options, sm ui.Sample) image.Image {
	appOnce.Do(func() { test.NewApp() })
	shell := ui.New(ui.Config{Defaults: theme.Options{Lang: o.Lang, LargeText: o.LargeText, HighContrast: o.HighContrast},
		Actions: nobody{}, Preview: ui.SyntheticPreview{}, OnStaffExit: func() {}})
	defer shell.Close()
	shell.ShowSample(sm)
	w := test.NewWindow(shell.Content())
	defer w.Close()
	w.SetPadded(false)
	w.Resize(size(o))
	shell.Relayout()
	return w.Canvas().Capture()
}

func size(o Options) fyne.Size {
	if o.Width <= 0 || o.Height <= 0 {
		return fyne.NewSize(theme.ScreenWidthPx, theme.ScreenHeightPx)
	}
	return fyne.NewSize(o.Width, o.Height)
}

// Screens lists every screen name.
func Screens() []string {
	var out []string
	for _, s := range ui.Samples() {
		out = append(out, s.Name)
	}
	return out
}

// nobody is the touch sink of a screenshot: nothing is tapped.
type nobody struct{}

func (nobody) Press(session.EventKind) error { return nil }
func (nobody) Digit(byte) error              { return nil }
func (nobody) Touch(session.Event) error     { return nil }
func (nobody) Staff(session.EventKind) error { return nil }
