package cardscan

// The card front's geometry in millimetres from its top-left corner, upright.
// The renderer in sim/cardface prints at these places and the scanner reads
// from them, so the two cannot drift apart.
const (
	CardWidthMM  = 85.6
	CardHeightMM = 53.98
)

// RectMM is an axis-aligned box on the card, in millimetres.
type RectMM struct{ X0, Y0, X1, Y1 float64 }

// Where each printed item sits. Baselines are where a line's text stands;
// the *Rect boxes are what the scanner crops, with room for a millimetre or
// so of misalignment but not reaching a neighbouring line.
var (
	NameBaseline    = Point{10, 8}
	AddressBaseline = Point{10, 14}
	AddressLineGap  = 4.6
	AddressMaxX     = 55.0

	BirthBaseline = Point{10, 26.4}
	BirthRect     = RectMM{8.4, 22.2, 47.0, 28.6}
	SexBaseline   = Point{48.5, 26.4}

	ExpiryBaseline = Point{3.5, 34.2}
	ExpiryRect     = RectMM{2.2, 30.0, 52.0, 36.2}

	PhotoRect = RectMM{58.5, 5.0, 81.5, 34.0}

	SerialBaseline = Point{47.5, 42.4}
	CodeBaseline   = Point{72.5, 42.4}
	CodeRect       = RectMM{70.6, 38.2, 84.6, 44.4}

	// TextSizeMM is the em size of the three fields the scanner reads.
	TextSizeMM = 3.2
)

// Point is a position on the card in millimetres.
type Point struct{ X, Y float64 }
