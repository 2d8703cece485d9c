// Package mynacard speaks to a My Number Card: one client per card
// application (券面AP, 券面事項入力補助AP, JPKI-AP) over an apdu.Transport, and
// the verification of what they return. A card without JPKI-AP is probed
// for a newer generation of the card (nextgen.go), which it recognises but
// cannot read yet.
//
// The API cannot read the 個人番号 (入力補助AP EF 0001, 券面AP EF 0005) nor send
// 照合番号A (券面AP EF 0013): those files have no name a caller can use, and the
// one place that selects files refuses them even if code inside this package
// tried.
package mynacard

import (
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/secret"
)

// application is a card application; unexported so only this package selects.
type application int

const (
	appNone application = iota
	appJPKI
	appKenmen // 券面AP (券面事項確認AP)
	appHojo   // 券面事項入力補助AP
)

var aids = map[application][]byte{
	appJPKI:   {0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01},
	appKenmen: {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02},
	appHojo:   {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08},
}

func (a application) String() string {
	return [...]string{"none", "JPKI-AP", "券面AP", "入力補助AP"}[a]
}

// fileID is an elementary file of an application.
type fileID uint16

// Errors of this package; status-word errors come from package apdu.
var (
	ErrForbiddenFile     = errors.New("mynacard: access to the 個人番号 or 照合番号A is not allowed")
	ErrCredentialFormat  = errors.New("mynacard: credential has the wrong form")
	ErrNotMyNumberCard   = errors.New("mynacard: not a My Number Card")
	ErrRecordTooLarge    = errors.New("mynacard: record larger than allowed")
	ErrMalformedRecord   = errors.New("mynacard: malformed record")
	ErrVerification      = errors.New("mynacard: verification failed")
	ErrUntrustedIssuer   = errors.New("mynacard: issuer is not a configured trust anchor")
	ErrCredentialMissing = errors.New("mynacard: the card has no such credential")
)

// forbidden lists what the kiosk must never touch, checked at the single
// place that selects files.
func forbidden(app application, fid fileID) bool {
	switch app {
	case appKenmen:
		return fid == 0x0005 || fid == 0x0013
	case appHojo:
		return fid == 0x0001
	}
	return false
}

// Card is a session with one card. It is not safe for concurrent use: a card
// answers one command at a time.
type Card struct {
	ch        *apdu.Channel
	current   application
	currentEF fileID // the EF selected in current; 0 when unknown
	relayEF   fileID // the EF the relay last selected; 0 when unknown
	relayed   int    // commands the relay forwarded to this card
	link      readLimit
	known     sessionFacts
}

// Open starts talking to a card over t. A Transport that implements
// apdu.LengthLimits says how long a READ BINARY answer may be.
func Open(t apdu.Transport) *Card {
	return &Card{ch: apdu.NewChannel(t), link: limitOf(t)}
}

func (c *Card) selectApp(ctx context.Context, app application) error {
	if c.current == app {
		return nil
	}
	c.current, c.currentEF, c.relayEF = appNone, 0, 0
	if _, err := c.ch.Do(ctx, apdu.SelectDF(aids[app])); err != nil {
		return fmt.Errorf("select %v: %w", app, err)
	}
	c.current = app
	return nil
}

// selectFile selects app's EF fid unless it is selected already: a card
// link costs a round trip per command, and the PIN paths ask the tries
// left and then verify on the same EF.
func (c *Card) selectFile(ctx context.Context, app application, fid fileID) error {
	if forbidden(app, fid) {
		return ErrForbiddenFile
	}
	if err := c.selectApp(ctx, app); err != nil {
		return err
	}
	c.relayEF = 0 // the card's own selection replaces the relay's
	if c.currentEF == fid {
		return nil
	}
	c.currentEF = 0 // until the card says otherwise
	if _, err := c.ch.Do(ctx, apdu.SelectEF(uint16(fid))); err != nil {
		return fmt.Errorf("select %v EF %04X: %w", app, uint16(fid), err)
	}
	c.currentEF = fid
	return nil
}

// Forget makes the next command re-select its application and EF, e.g.
// after the card was reset or another program used it. It also drops what
// the session learned from the card (its kind, its certificate), in case a
// caller reuses the Card for another card; what the link carries is kept.
func (c *Card) Forget() {
	c.current, c.currentEF, c.relayEF = appNone, 0, 0
	c.known = sessionFacts{}
}

// triesLeft sends an empty VERIFY to a credential file; it uses no try.
func (c *Card) triesLeft(ctx context.Context, app application, cred fileID) (int, error) {
	if err := c.selectFile(ctx, app, cred); err != nil {
		return 0, err
	}
	_, err := c.ch.Do(ctx, apdu.Verify(nil))
	if err == nil {
		return 0, fmt.Errorf("%w: empty VERIFY answered 9000", apdu.ErrCardStatus)
	}
	if left, ok := apdu.TriesLeft(err); ok {
		return left, nil
	}
	return 0, err
}

// verify presents a credential held in locked memory. The encoded command is
// wiped by the channel after transmission.
func (c *Card) verify(ctx context.Context, app application, cred fileID, value *secret.Buffer) error {
	if err := c.selectFile(ctx, app, cred); err != nil {
		return err
	}
	_, err := c.ch.Do(ctx, apdu.Verify(value.Bytes()))
	return err
}

// checkDigits requires exactly n ASCII digits: the kiosk never sends a
// credential shorter (or longer) than the card expects.
func checkDigits(b *secret.Buffer, n int, what string) error {
	v := b.Bytes()
	if len(v) != n {
		return fmt.Errorf("%w: %s must be %d digits", ErrCredentialFormat, what, n)
	}
	for _, d := range v {
		if d < '0' || d > '9' {
			return fmt.Errorf("%w: %s must be digits only", ErrCredentialFormat, what)
		}
	}
	return nil
}
