package cardscan

// The card front's geometry in millimetres from its top-left corner, upright,
// as today's card prints it. The scanner does not read from these places:
// it finds the printed lines wherever they are (lines.go) and uses these
// boxes only to try the likeliest line first (locate.go) and to tell which
// way up a card lies when its photo does not stand out. The renderer in
// sim/cardface keeps its own layouts, so a benchmark can show a scanner
// that depends on this one.
const (
	CardWidthMM  = 85.6
	CardHeightMM = 53.98
)

// RectMM is an axis-aligned box on the card, in millimetres.
type RectMM struct{ X0, Y0, X1, Y1 float64 }

// Where the fields sit on today's card, with a millimetre or so of room.
var (
	BirthRect  = RectMM{8.4, 22.2, 47.0, 28.6}
	ExpiryRect = RectMM{2.2, 30.0, 52.0, 36.2}
	PhotoRect  = RectMM{58.5, 5.0, 81.5, 34.0}
	CodeRect   = RectMM{70.6, 38.2, 84.6, 44.4}

	// TextSizeMM is the em size of the three fields on today's card: the
	// renditions were tuned for lines this size, and larger or smaller
	// print is scaled to it.
	TextSizeMM = 3.2
)
