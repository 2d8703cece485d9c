package theme

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
)

// The reference screen: a 10-inch 1280x800 panel, the common kiosk tablet.
const (
	ScreenWidthPx      = 1280
	ScreenHeightPx     = 800
	ScreenDiagonalInch = 10.0
	// ReadingDistanceMM is how far a standing patient's eyes are from the screen.
	ReadingDistanceMM = 500.0
)

// ScreenPPI is the reference screen's pixel density: √(1280²+800²)/10 ≈ 150.9.
var ScreenPPI = math.Hypot(ScreenWidthPx, ScreenHeightPx) / ScreenDiagonalInch

// TouchTargetMM is the smallest side of anything a patient touches.
const TouchTargetMM = 15.0

// TouchTargetPx is TouchTargetMM on the reference screen, rounded up to a
// whole pixel: 15 mm × 150.9 px/in ÷ 25.4 mm/in = 89.1 → 90 px.
const TouchTargetPx = 90

// LargeTextFactor scales every size in large-text mode.
const LargeTextFactor = 1.5

// SizeNameTouchTarget is the theme size screens use as the minimum width
// and height of buttons and keys (fyne.Theme.Size(SizeNameTouchTarget)).
// Large-text mode does not shrink it, nor scale it: it is a physical limit.
const SizeNameTouchTarget fyne.ThemeSizeName = "uketsuke-touch-target"

// TouchTarget converts TouchTargetPx to Fyne units for a canvas scale
// (fyne.Canvas.Scale()): Fyne sizes are device-independent pixels.
func TouchTarget(canvasScale float32) float32 {
	if canvasScale <= 0 {
		canvasScale = 1
	}
	return TouchTargetPx / canvasScale
}

// Text sizes, in pixels at scale 1, chosen so that a capital letter (0.714 em
// in Noto Sans) subtends at least 20 arc minutes at ReadingDistanceMM, the
// size ISO 9241-303 prefers for reading: body text 26 px ≈ 22'.
var sizes = map[fyne.ThemeSizeName]float32{
	fynetheme.SizeNameText:               26,
	fynetheme.SizeNameHeadingText:        40,
	fynetheme.SizeNameSubHeadingText:     32,
	fynetheme.SizeNameCaptionText:        20,
	fynetheme.SizeNamePadding:            8,
	fynetheme.SizeNameInnerPadding:       16,
	fynetheme.SizeNameLineSpacing:        8,
	fynetheme.SizeNameInlineIcon:         32,
	fynetheme.SizeNameInputBorder:        3,
	fynetheme.SizeNameInputRadius:        8,
	fynetheme.SizeNameSelectionRadius:    6,
	fynetheme.SizeNameSeparatorThickness: 2,
	fynetheme.SizeNameScrollBar:          24,
	fynetheme.SizeNameScrollBarSmall:     8,
	SizeNameTouchTarget:                  TouchTargetPx,
}

// CapHeightArcMinutes is the visual angle of a capital letter of text of
// size px on the reference screen at the reading distance.
func CapHeightArcMinutes(px float32) float64 {
	const capHeightEm = 0.714 // Noto Sans
	mm := float64(px) * capHeightEm / ScreenPPI * 25.4
	return 2 * math.Atan(mm/2/ReadingDistanceMM) * 180 / math.Pi * 60
}

// Touchable wraps obj so that it is never smaller than the touch target in
// either direction: Fyne's button is only as tall as its text and padding
// (about 60 px here), below the 15 mm a shaking finger needs.
func Touchable(obj fyne.CanvasObject) *fyne.Container {
	return container.New(touchLayout{}, obj)
}

type touchLayout struct{}

func (touchLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	side := fynetheme.Size(SizeNameTouchTarget)
	size := fyne.NewSize(side, side)
	for _, o := range objs {
		size = size.Max(o.MinSize())
	}
	return size
}

func (touchLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
