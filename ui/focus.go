package ui

import (
	"image/color"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The keypad's focus ring: a thick frame in the theme's text colour around
// the choice that Enter presses, with a band of the background colour
// inside it so that it stands apart from any button's own colour. It moves over the screen's enabled buttons in reading order, then
// over the top bar's language and display choices. The hidden staff corner
// is not a button and is never reached.

// Ring sizes in Fyne units: the frame, and the band between frame and button.
const (
	ringWidth      = 10
	ringWidthLarge = 14
	ringGap        = 6
)

// topBarTargets come after the screen's own choices.
var topBarTargets = map[string]bool{"language": true, "large-text": true, "high-contrast": true,
	"voice-repeat": true, "voice-ja": true, "voice-en": true}

// focusRing is the frame's two rectangles in a container without layout.
type focusRing struct {
	box          *fyne.Container
	frame, inner *canvas.Rectangle
}

func newFocusRing() *focusRing {
	r := &focusRing{frame: canvas.NewRectangle(color.Transparent), inner: canvas.NewRectangle(color.Transparent)}
	r.box = container.NewWithoutLayout(r.frame, r.inner)
	r.hide()
	return r
}

func (r *focusRing) hide() { r.frame.Hide(); r.inner.Hide() }

// show frames the rectangle at pos, size in the current theme's colours.
func (r *focusRing) show(pos fyne.Position, size fyne.Size, width float32) {
	r.frame.StrokeColor, r.frame.StrokeWidth = ringColor(), width
	r.inner.StrokeColor, r.inner.StrokeWidth = fynetheme.Color(fynetheme.ColorNameBackground), ringGap
	grow := width / 2 // the frame's outer half lies outside the button
	r.frame.Move(pos.SubtractXY(grow, grow))
	r.frame.Resize(size.AddWidthHeight(2*grow, 2*grow))
	r.inner.Move(pos.AddXY(grow, grow))
	r.inner.Resize(size.SubtractWidthHeight(2*grow, 2*grow))
	r.frame.Show()
	r.inner.Show()
}

// ringColor is the theme's text colour, the strongest against the
// background in every mode (near-black on white, white on black in high
// contrast); the translucent tint Fyne gives a focused widget is too faint
// to find, and the theme's primary is the colour of the main buttons.
func ringColor() color.Color { return fynetheme.Color(fynetheme.ColorNameForeground) }

// placed is a target (or, with members, a scroll holding targets) with its
// position relative to the root, where the ring is drawn, and key, where it
// sorts: inside a scroll, its place in the unscrolled content.
type placed struct {
	name     string
	pos, key fyne.Position
	size     fyne.Size
	members  []placed // a scroll's targets
}

// location is where an object is now, and the outermost scroll it is in
// with its place in that scroll's content.
type location struct {
	pos    fyne.Position
	scroll *container.Scroll
	inside fyne.Position
}

// locate finds every visible object under the root.
func (s *Shell) locate() map[fyne.CanvasObject]location {
	out := map[fyne.CanvasObject]location{}
	var visit func(o fyne.CanvasObject, at location)
	visit = func(o fyne.CanvasObject, at location) {
		if !o.Visible() {
			return
		}
		out[o] = at
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c, location{at.pos.Add(c.Position()), at.scroll, at.inside.Add(c.Position())})
			}
		case *container.Scroll:
			in := location{at.pos.Add(x.Content.Position()), at.scroll, at.inside}
			if in.scroll == nil {
				in.scroll, in.inside = x, fyne.Position{}
			}
			visit(x.Content, in)
		}
	}
	visit(s.root, location{})
	return out
}

// focusOrder lists the current screen's enabled buttons in reading order:
// rows from the top, each from the left, a scroll's buttons together in its
// place; the top bar's choices last. A PIN pad's digit and delete keys are
// left out: the keypad has its own.
func (s *Shell) focusOrder() []placed {
	where := s.locate()
	padPrefix, _, onPad := s.pinPad()
	var screen, bar []placed
	scrolls := map[*container.Scroll][]placed{}
	for name, o := range s.targets {
		b, ok := o.(*widget.Button)
		at, shown := where[o]
		if !ok || !shown || b.Disabled() || o.Size().IsZero() || onPad && padKeyName(padPrefix, name) {
			continue
		}
		p := placed{name: name, pos: at.pos, key: at.pos, size: o.Size()}
		switch {
		case topBarTargets[name]:
			bar = append(bar, p)
		case at.scroll != nil:
			p.key = at.inside
			scrolls[at.scroll] = append(scrolls[at.scroll], p)
		default:
			screen = append(screen, p)
		}
	}
	for sc, members := range scrolls {
		at := where[sc].pos
		screen = append(screen, placed{pos: at, key: at, size: sc.Size(), members: readingOrder(members)})
	}
	var out []placed
	for _, p := range append(readingOrder(screen), readingOrder(bar)...) {
		if p.members != nil {
			out = append(out, p.members...)
		} else {
			out = append(out, p)
		}
	}
	return out
}

// padKeyName: name is one of the PIN pad's digit or delete keys.
func padKeyName(prefix, name string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && (rest == "delete" || strings.HasPrefix(rest, "digit-"))
}

// readingOrder sorts into rows (one whose centre lies within the first of
// a row's height joins that row), each row from left to right.
func readingOrder(ps []placed) []placed {
	centre := func(p placed) float32 { return p.key.Y + p.size.Height/2 }
	sort.Slice(ps, func(i, j int) bool {
		if ci, cj := centre(ps[i]), centre(ps[j]); ci != cj {
			return ci < cj
		}
		return ps[i].key.X < ps[j].key.X
	})
	var out []placed
	for start := 0; start < len(ps); {
		end := start + 1
		bottom := ps[start].key.Y + ps[start].size.Height
		for end < len(ps) && centre(ps[end]) < bottom {
			end++
		}
		row := ps[start:end]
		sort.SliceStable(row, func(i, j int) bool { return row[i].key.X < row[j].key.X })
		out = append(out, row...)
		start = end
	}
	return out
}

// moveFocus moves the ring by step choices (wrapping round); step 0 shows
// it where it is, or on the first choice.
func (s *Shell) moveFocus(step int) {
	s.keyMode = true
	order := s.focusOrder()
	if len(order) == 0 {
		s.focus = ""
		s.placeRing(nil)
		return
	}
	at := -1
	for i, p := range order {
		if p.name == s.focus {
			at = i
		}
	}
	switch {
	case at < 0 && step < 0:
		at = len(order) - 1
	case at < 0:
		at = 0
	default:
		at = (at + step + len(order)) % len(order)
	}
	s.focus = order[at].name
	if s.reveal(s.focus) {
		order = nil // positions moved with the scroll
	}
	s.placeRing(order)
	if s.cfg.OnRender != nil {
		s.cfg.OnRender() // the ring moved: a redraw for the test hooks
	}
}

// keepFocus runs after a render: the ring stays on its choice if the new
// screen has it, else goes to the first choice once the patient has moved
// it at all in this session (a new screen, the same way of choosing).
func (s *Shell) keepFocus() {
	if !s.keyMode {
		s.focus = ""
		s.ring.hide()
		return
	}
	order := s.focusOrder()
	kept := false
	for _, p := range order {
		kept = kept || p.name == s.focus
	}
	if _, _, onPad := s.pinPad(); onPad && !kept {
		// A PIN pad is typed on the keypad's own keys: no ring until asked.
		s.focus = ""
		s.ring.hide()
		return
	}
	if !kept {
		s.focus = ""
		if len(order) > 0 {
			s.focus = order[0].name
		}
	}
	if s.reveal(s.focus) {
		order = nil
	}
	s.placeRing(order)
}

// reveal scrolls the focused choice into view when it sits in a scroll
// (large text, the consent items), and says whether anything moved.
func (s *Shell) reveal(name string) bool {
	target, ok := s.targets[name]
	if name == "" || !ok {
		return false
	}
	at, shown := s.locate()[target]
	if !shown || at.scroll == nil {
		return false
	}
	sc := at.scroll
	top, bottom := at.inside.Y-ringWidthLarge, at.inside.Y+target.Size().Height+ringWidthLarge
	view, off := sc.Size().Height, sc.Offset.Y
	switch {
	case top < off:
		sc.ScrollToOffset(fyne.NewPos(sc.Offset.X, max(top, 0)))
	case bottom > off+view:
		sc.ScrollToOffset(fyne.NewPos(sc.Offset.X, bottom-view))
	default:
		return false
	}
	return true
}

// placeRing draws the ring around the focused choice, or hides it.
func (s *Shell) placeRing(order []placed) {
	if order == nil && s.focus != "" {
		order = s.focusOrder()
	}
	for _, p := range order {
		if p.name == s.focus {
			width := float32(ringWidth)
			if s.drawn.LargeText {
				width = ringWidthLarge
			}
			s.ring.show(p.pos, p.size, width)
			s.repaintRing()
			return
		}
	}
	s.ring.hide()
	s.repaintRing()
}

// repaintRing asks the window to draw the ring's new place: a shape that
// was hidden until now is unknown to the driver and cannot ask itself.
func (s *Shell) repaintRing() {
	if s.keyCanvas != nil {
		s.keyCanvas.Refresh(s.ring.box)
	}
}

// Focused is the choice the keypad's Enter would press ("" for none).
func (s *Shell) Focused() string { return s.focus }
