package mynacard

// The next-generation card (次期個人番号カード, issued from 2026) folds what
// today's card spreads over JPKI-AP, 券面AP, 券面事項入力補助AP and the rest
// into two applications, 認証AP(仮) and 券面等AP(仮), whose AIDs and files
// are not public yet. Such a card has no JPKI-AP, so Detect would call it
// "not a My Number Card". Until the specifications are out, the kiosk
// recognises it by what it answers and says that it is not supported yet.

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/tlv"
)

// ErrUnsupportedGeneration means the card is a My Number Card of a newer
// generation than the kiosk can read.
var ErrUnsupportedGeneration = errors.New("mynacard: a newer generation of My Number Card, not supported yet")

// FoundApp is an application the probe found on a card without JPKI-AP. An
// AID names a kind of application, the same on every card that carries it:
// it is not personal data.
type FoundApp struct {
	AID   []byte
	Label string // from EF.DIR, printable ASCII only; usually empty
}

// UnsupportedGenerationError names the application that showed the card
// to be of a newer generation. It matches ErrUnsupportedGeneration.
type UnsupportedGenerationError struct{ App FoundApp }

func (e *UnsupportedGenerationError) Error() string {
	if e.App.Label != "" {
		return fmt.Sprintf("%v: application %X (%q)", ErrUnsupportedGeneration, e.App.AID, e.App.Label)
	}
	return fmt.Sprintf("%v: application %X", ErrUnsupportedGeneration, e.App.AID)
}

func (e *UnsupportedGenerationError) Unwrap() error { return ErrUnsupportedGeneration }

// Generation is the kiosk's support for one generation of the card after
// today's; Detect hands it the application the probe found.
//
// Today the only one is NextGeneration, which recognises and refuses. Its
// successor, once the specifications are public, would recognise the real
// AIDs and add one file per application, as jpki.go and kenmen.go are:
// 認証AP's user authentication (certificate and signature, and the PIN-less
// 特定機関認証 that Relay carries to JPKI-AP today) and 券面等AP's face
// photo with its signature check. Use would then return a Kind the
// session can work with.
type Generation interface {
	// Recognise reports whether app belongs to this generation.
	Recognise(app FoundApp) bool
	// Use is what Detect answers for such a card: its Kind, or an error
	// (an *UnsupportedGenerationError while the kiosk cannot use it).
	Use(ctx context.Context, c *Card, app FoundApp) (Kind, error)
}

// NextGeneration recognises the next-generation card by any application
// under Japan's national registration that today's card does not carry,
// and refuses it with an *UnsupportedGenerationError.
type NextGeneration struct{}

// Recognise implements Generation.
func (NextGeneration) Recognise(app FoundApp) bool {
	return bytes.HasPrefix(app.AID, japanNational) && !todaysApp(app.AID)
}

// Use implements Generation.
func (NextGeneration) Use(_ context.Context, _ *Card, app FoundApp) (Kind, error) {
	return KindUnknown, &UnsupportedGenerationError{App: app}
}

// generations are asked in order.
var generations = []Generation{NextGeneration{}}

// japanNational starts every AID of today's card: category D (national
// registration) and 392, Japan's ISO 3166-1 numeric code.
var japanNational = []byte{0xD3, 0x92}

// probePrefixes are the partial DF names the probe selects, in order.
// Today's applications sit under two RIDs, and J-LIS, which issues both
// generations, will most likely keep them. Cards built on GlobalPlatform
// refuse a partial name shorter than a RID (5 bytes), so those two come
// first; the bare D3 92 last finds an application under a new RID on
// cards that take short names.
var probePrefixes = [][]byte{
	{0xD3, 0x92, 0xF0, 0x00, 0x26}, // JPKI-AP's RID
	{0xD3, 0x92, 0x10, 0x00, 0x31}, // 券面AP's and 入力補助AP's RID
	japanNational,
}

// todaysApps are the applications today's card carries, including two the
// kiosk has no use for (共通AP and 住基AP): listed so that an odd card with
// them but without JPKI-AP is not taken for a newer generation.
var todaysApps = [][]byte{
	aids[appJPKI], aids[appKenmen], aids[appHojo],
	{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00}, // 共通AP
	{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01}, // 住基AP
}

func todaysApp(aid []byte) bool {
	for _, a := range todaysApps {
		if bytes.Equal(a, aid) {
			return true
		}
	}
	return false
}

// Bounds on what a card can make the probe do or keep.
const (
	maxOccurrences = 8    // SELECT rounds per prefix: today's card has five applications
	maxFCI         = 1024 // bytes of one SELECT answer
	maxDirRecords  = 16   // EF.DIR records read
	maxDirSize     = 4096 // bytes of EF.DIR
	minAIDLen      = 5    // ISO/IEC 7816-5: a RID alone
	maxAIDLen      = 16
	maxLabelLen    = 32
	efDir          = 0x2F00
)

// The probe's commands: SELECT by name, SELECT MF, SELECT EF.DIR, READ
// RECORD and READ BINARY. None presents a credential, and the only EF
// selected is EF.DIR under the MF, outside every application: the probe
// costs no try and cannot reach the 個人番号.
var selectMF = apdu.Command{CLA: 0x00, INS: 0xA4, P1: 0x00, P2: 0x0C, Data: []byte{0x3F, 0x00}}

// selectByName selects by DF name, a partial one allowed, and asks for the
// FCI (P2 00: first or only occurrence; 02: next occurrence).
func selectByName(prefix []byte, next bool) apdu.Command {
	cmd := apdu.Command{CLA: 0x00, INS: 0xA4, P1: 0x04, P2: 0x00, Data: prefix, Le: apdu.MaxShortLe}
	if next {
		cmd.P2 = 0x02
	}
	return cmd
}

// readRecord reads record n of the current EF.
func readRecord(n int) apdu.Command {
	return apdu.Command{CLA: 0x00, INS: 0xB2, P1: byte(n), P2: 0x04, Le: apdu.MaxShortLe}
}

// detectNewer runs when the card has no JPKI-AP (missing is that SELECT's
// error): a newer generation of the card, or no My Number Card at all.
func (c *Card) detectNewer(ctx context.Context, missing error) (Kind, error) {
	app, found, err := c.probe(ctx)
	c.current, c.currentEF = appNone, 0 // the probe may have selected anything
	if err != nil {
		if errors.Is(err, ErrMalformedRecord) || errors.Is(err, ErrRecordTooLarge) {
			return KindUnknown, fmt.Errorf("%w: %v; probe: %w", ErrNotMyNumberCard, missing, err)
		}
		return KindUnknown, err
	}
	if found {
		for _, g := range generations {
			if g.Recognise(app) {
				return g.Use(ctx, c, app)
			}
		}
	}
	return KindUnknown, fmt.Errorf("%w: %v", ErrNotMyNumberCard, missing)
}

// probe looks for an application under Japan's national registration that
// today's card does not carry: first by partial SELECTs, then in EF.DIR. A
// status word other than 9000 only means "not here"; a malformed answer
// ends the probe with ErrMalformedRecord or ErrRecordTooLarge, so a
// hostile card gets no more commands.
func (c *Card) probe(ctx context.Context) (FoundApp, bool, error) {
	for _, prefix := range probePrefixes {
		aid, err := c.selectUnknown(ctx, prefix)
		if err != nil || aid != nil {
			return FoundApp{AID: aid}, aid != nil, err
		}
	}
	apps, err := c.readDir(ctx)
	if err != nil {
		return FoundApp{}, false, err
	}
	for _, a := range apps {
		if bytes.HasPrefix(a.AID, japanNational) && !todaysApp(a.AID) {
			return a, true, nil
		}
	}
	return FoundApp{}, false, nil
}

// selectUnknown walks the applications whose name starts with prefix and
// returns the first one today's card does not carry, or nil.
func (c *Card) selectUnknown(ctx context.Context, prefix []byte) ([]byte, error) {
	var last []byte
	for i := range maxOccurrences {
		fci, err := c.ch.Do(ctx, selectByName(prefix, i > 0))
		if isStatus(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		name, err := parseFCIName(fci, prefix)
		switch {
		case err != nil:
			return nil, err
		case name == nil || bytes.Equal(name, last):
			return nil, nil // the card does not say what it selected, or ignores "next"
		case !todaysApp(name):
			return name, nil
		}
		last = name
	}
	return nil, nil
}

// readDir reads EF.DIR, as records or, failing that, as one transparent
// file. A card without one has nothing to say.
func (c *Card) readDir(ctx context.Context) ([]FoundApp, error) {
	for _, cmd := range []apdu.Command{selectMF, apdu.SelectEF(efDir)} {
		if _, err := c.ch.Do(ctx, cmd); err != nil {
			return nil, unlessStatus(err)
		}
	}
	var data []byte
	for n := 1; n <= maxDirRecords && len(data) <= maxDirSize; n++ {
		rec, err := c.ch.Do(ctx, readRecord(n))
		if errors.Is(err, apdu.ErrEndOfFile) && len(rec) > 0 {
			err = nil // 6282: a record shorter than asked for
		}
		if isStatus(err) && n == 1 {
			return c.readDirBinary(ctx)
		}
		if isStatus(err) {
			break // past the last record
		}
		if err != nil {
			return nil, err
		}
		data = append(data, rec...)
	}
	return parseDirBounded(data)
}

// readDirBinary reads a transparent EF.DIR in chunks, up to maxDirSize.
func (c *Card) readDirBinary(ctx context.Context) ([]FoundApp, error) {
	var data []byte
	for len(data) <= maxDirSize {
		chunk, err := c.ch.Do(ctx, apdu.ReadBinary(len(data), readChunk))
		if errors.Is(err, apdu.ErrEndOfFile) {
			err = nil // 6282 with the last bytes, or 6B00 with none
		}
		if err != nil {
			return nil, unlessStatus(err)
		}
		data = append(data, chunk...)
		if len(chunk) < readChunk {
			break
		}
	}
	return parseDirBounded(data)
}

func parseDirBounded(data []byte) ([]FoundApp, error) {
	if len(data) > maxDirSize {
		return nil, fmt.Errorf("%w: EF.DIR over %d bytes", ErrRecordTooLarge, maxDirSize)
	}
	return parseDir(data)
}

// isStatus reports whether err is the card's status word rather than a
// failure to talk to it (card removed, cancelled, garbled response).
func isStatus(err error) bool {
	var se *apdu.StatusError
	var wc *apdu.WrongCredentialError
	return errors.As(err, &se) || errors.As(err, &wc)
}

func unlessStatus(err error) error {
	if isStatus(err) {
		return nil
	}
	return err
}

// parseFCIName returns the DF name (tag 84) of a SELECT answer, found at
// the top or in an FCI (6F) or FCP (62) template; nil when the card sent
// none. A name that is no AID, or not under the prefix selected, is
// malformed: the card does not answer the question asked.
func parseFCIName(fci, prefix []byte) ([]byte, error) {
	if len(fci) == 0 {
		return nil, nil
	}
	if len(fci) > maxFCI {
		return nil, fmt.Errorf("%w: SELECT answered %d bytes", ErrRecordTooLarge, len(fci))
	}
	items, err := tlv.Parse(fci)
	if err != nil {
		return nil, fmt.Errorf("%w: FCI: %v", ErrMalformedRecord, err)
	}
	for _, it := range items {
		if it.Tag == 0x6F || it.Tag == 0x62 {
			if items, err = tlv.Parse(it.Value); err != nil {
				return nil, fmt.Errorf("%w: FCI: %v", ErrMalformedRecord, err)
			}
			break
		}
	}
	name, err := tlv.Find(items, 0x84)
	if err != nil {
		return nil, nil
	}
	if len(name) < minAIDLen || len(name) > maxAIDLen || !bytes.HasPrefix(name, prefix) {
		return nil, fmt.Errorf("%w: DF name of %d bytes for a %X selection", ErrMalformedRecord, len(name), prefix)
	}
	return bytes.Clone(name), nil
}

// parseDir reads EF.DIR's application templates (61), each with an AID
// (4F) and maybe a label (50). Other templates are skipped.
func parseDir(data []byte) ([]FoundApp, error) {
	items, err := tlv.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: EF.DIR: %v", ErrMalformedRecord, err)
	}
	var apps []FoundApp
	for _, it := range items {
		if it.Tag != 0x61 {
			continue
		}
		inner, err := tlv.Parse(it.Value)
		if err != nil {
			return nil, fmt.Errorf("%w: EF.DIR template: %v", ErrMalformedRecord, err)
		}
		aid, err := tlv.Find(inner, 0x4F)
		if err != nil || len(aid) < minAIDLen || len(aid) > maxAIDLen {
			return nil, fmt.Errorf("%w: EF.DIR template without a valid AID", ErrMalformedRecord)
		}
		label, _ := tlv.Find(inner, 0x50)
		apps = append(apps, FoundApp{AID: bytes.Clone(aid), Label: printable(label)})
	}
	return apps, nil
}

// printable keeps a label only if it is short printable ASCII: it ends up
// in error messages.
func printable(b []byte) string {
	if len(b) > maxLabelLen {
		return ""
	}
	for _, r := range b {
		if r < 0x20 || r > 0x7E {
			return ""
		}
	}
	return string(b)
}
