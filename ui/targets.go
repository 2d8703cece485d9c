package ui

import (
	"encoding/json"
	"os"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// Rect is a touch target's place on the window, in device pixels.
type Rect struct {
	Name             string
	X, Y, W, H       int
	Enabled          bool
	CenterX, CenterY int
}

// Targets lists the current screen's touch targets with their window
// positions, so that an end-to-end test can click them where they are
// drawn rather than at guessed coordinates.
func (s *Shell) Targets() []Rect {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	scale := float32(1)
	if c := app.Driver().CanvasForObject(s.root); c != nil {
		scale = c.Scale()
	}
	positions := map[fyne.CanvasObject]fyne.Position{}
	place(s.root, s.root.Position(), positions)
	var out []Rect
	for name, o := range s.targets {
		pos, shown := positions[o]
		if !shown {
			continue
		}
		size := o.Size()
		r := Rect{Name: name, X: int(pos.X * scale), Y: int(pos.Y * scale),
			W: int(size.Width * scale), H: int(size.Height * scale), Enabled: enabled(o)}
		r.CenterX, r.CenterY = r.X+r.W/2, r.Y+r.H/2
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// place records the window position of every visible object under o
// (containers and scrolls; the targets are never inside a widget).
func place(o fyne.CanvasObject, at fyne.Position, into map[fyne.CanvasObject]fyne.Position) {
	if !o.Visible() {
		return
	}
	into[o] = at
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			place(c, at.Add(c.Position()), into)
		}
	case *container.Scroll:
		place(x.Content, at.Add(x.Content.Position()), into)
	}
}

func enabled(o fyne.CanvasObject) bool {
	d, ok := o.(fyne.Disableable)
	return !ok || !d.Disabled()
}

// WriteTargets writes Targets, the shown state and page as JSON (for tests), via
// a temporary file so a reader never sees half a file.
func (s *Shell) WriteTargets(path string) error {
	data, err := json.Marshal(struct {
		State       string
		Lang        string
		PINDigits   int
		Page        string // session, language, staff-login, staff-menu, staff-card, staff-operator-pin
		StaffDigits int    // digits on the staff PIN pad (never which)
		Fault       string
		Focus       string // the target the keypad's focus ring is on
		Targets     []Rect
	}{s.view.State.String(), string(s.opts.Lang), s.view.PIN.Digits, pageNames[s.page], s.staffN,
		string(s.view.Fault), s.focus, s.Targets()})
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
