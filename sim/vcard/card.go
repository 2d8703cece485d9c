// Package vcard is a virtual My Number Card: the three applications with their
// files, access rules, credentials with real retry counters and lock-out, and
// RSA keys from the test J-LIS hierarchy; or a stand-in of the
// next-generation card, which only answers SELECT (nextgen.go). It answers
// raw command APDUs, in process (Transport) or through pcscd (package
// sim/vpcd).
package vcard

import (
	"bytes"
	"context"
	"crypto/rsa"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
)

// ATR is the answer-to-reset OpenSC's JPKI driver recognises.
var ATR = []byte{0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14}

// Latency models a contactless card's speed for honest benchmarks.
type Latency struct {
	PerAPDU time.Duration
	PerByte time.Duration
}

// RealLatency is near a real contactless My Number Card.
var RealLatency = Latency{PerAPDU: 20 * time.Millisecond, PerByte: 50 * time.Microsecond}

// Credential names a retry-counted secret of the card, for tests and the operator.
type Credential string

// The card's credentials.
const (
	CredCodeB     Credential = "kenmen-code-b"      // 券面AP 照合番号B, 10 tries
	CredBirthCode Credential = "kenmen-birth"       // 券面AP birth date, 10 tries
	CredCodeA     Credential = "kenmen-code-a"      // 券面AP 照合番号A: the kiosk must never send it
	CredHojoPIN   Credential = "hojo-pin"           // 入力補助AP PIN, 3 tries
	CredHojoCodeB Credential = "hojo-code-b"        // 入力補助AP 照合番号B, 10 tries
	CredAuthPIN   Credential = "jpki-auth-pin"      // 利用者証明用 PIN, 3 tries
	CredSignPass  Credential = "jpki-sign-password" // 署名用 password, 5 tries
)

type fileKind int

const (
	dataFile fileKind = iota
	credentialFile
	keyFile
)

type credential struct {
	name      Credential
	value     []byte
	max, left int
}

type file struct {
	id        uint16
	kind      fileKind
	data      []byte
	cred      *credential
	key       *rsa.PrivateKey
	openedBy  []uint16 // credential files any of which opens it; none = free
	forbidden bool     // holds the 個人番号 or is 照合番号A: a kiosk touching it is a bug
}

type application struct {
	name     string
	aid      []byte
	files    map[uint16]*file
	verified map[uint16]bool
	// presenceKey answers INTERNAL AUTHENTICATE; its public half is DF24.
	presenceKey *rsa.PrivateKey
}

// Extension handles commands the base card does not know (特定機関認証 lives in
// one). It returns handled=false to let the card answer 6D00.
type Extension interface {
	Handle(s *State, cmd apdu.Command) (resp []byte, handled bool)
}

// Resetter is an Extension with state of its own that a reset, a power-off or
// taking the card away must clear, like the card's own security state.
type Resetter interface {
	Reset()
}

// State is what an extension may see of the card while it handles a command.
type State struct {
	App string // the selected application's name
	c   *Card
}

// Card is one virtual card. It is safe for concurrent use.
type Card struct {
	mu        sync.Mutex
	apps      []*application
	cur       *application
	curEF     *file
	present   bool
	latency   Latency
	ext       []Extension
	forbidden int
	shortOnly bool // Options.ShortAPDUsOnly
	creds     map[Credential]*credential
	sleep     func(time.Duration)
	traffic   []Exchange
}

// Present reports whether the card is on the reader.
func (c *Card) Present() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.present
}

// Pull takes the card off the reader: commands fail until Insert.
func (c *Card) Pull() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.present = false
	c.resetLocked()
}

// Insert puts the card back (a fresh power-up: no selection, no verified state).
func (c *Card) Insert() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.present = true
	c.resetLocked()
}

// Reset is a warm reset: the security state is lost, counters are kept.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
}

func (c *Card) resetLocked() {
	c.cur, c.curEF = nil, nil
	for _, a := range c.apps {
		a.verified = map[uint16]bool{}
	}
	for _, e := range c.ext {
		if r, ok := e.(Resetter); ok {
			r.Reset()
		}
	}
}

// SetLatency changes the latency model.
func (c *Card) SetLatency(l Latency) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latency = l
}

// AddExtension installs a handler for extra commands.
func (c *Card) AddExtension(e Extension) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ext = append(c.ext, e)
}

// TriesLeft reports a credential's counter (for tests and the operator window).
func (c *Card) TriesLeft(name Credential) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cr := c.creds[name]; cr != nil {
		return cr.left
	}
	return -1
}

// ForbiddenAccesses counts attempts to select the 個人番号 files or 照合番号A.
// A correct kiosk leaves it at zero.
func (c *Card) ForbiddenAccesses() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.forbidden
}

// Transmit makes the card an apdu.Transport in process.
func (c *Card) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, ok := c.Process(cmd)
	if !ok {
		return nil, apdu.ErrCardRemoved
	}
	return resp, nil
}

// Process answers one raw command APDU; ok is false when the card is not present.
func (c *Card) Process(raw []byte) (resp []byte, ok bool) {
	c.mu.Lock()
	if !c.present {
		c.mu.Unlock()
		return nil, false
	}
	app, ef := c.selection()
	resp = c.dispatch(raw)
	c.record(raw, resp, app, ef)
	lat, sleep := c.latency, c.sleep
	c.mu.Unlock()
	if d := lat.PerAPDU + time.Duration(len(raw)+len(resp))*lat.PerByte; d > 0 {
		sleep(d)
	}
	return resp, true
}

func sw(code uint16) []byte { return []byte{byte(code >> 8), byte(code)} }

func withSW(data []byte, code uint16) []byte {
	return append(bytes.Clone(data), byte(code>>8), byte(code))
}

func (c *Card) dispatch(raw []byte) []byte {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil || c.shortOnly && extendedEncoding(raw) {
		return sw(0x6700)
	}
	switch {
	case cmd.CLA == 0x00 && cmd.INS == 0xA4:
		return c.doSelect(cmd)
	case cmd.CLA == 0x00 && cmd.INS == 0xB0:
		return c.doReadBinary(cmd)
	case cmd.CLA == 0x00 && cmd.INS == 0x20:
		return c.doVerify(cmd)
	case cmd.CLA == 0x80 && cmd.INS == 0x2A:
		return c.doSign(cmd)
	}
	for _, e := range c.ext {
		if resp, handled := e.Handle(&State{App: c.appName(), c: c}, cmd); handled {
			return resp
		}
	}
	if cmd.CLA != 0x00 && cmd.CLA != 0x80 {
		return sw(0x6E00)
	}
	return sw(0x6D00)
}

// extendedEncoding tells an extended-length APDU by its bytes, as
// apdu.ParseCommand does: a body of three bytes or more that starts with 00.
// An extended Le of 256 or less still counts: the encoding is what a card
// without extended support cannot read.
func extendedEncoding(raw []byte) bool {
	body := raw[4:]
	return len(body) >= 3 && body[0] == 0
}

func (c *Card) appName() string {
	if c.cur == nil {
		return ""
	}
	return c.cur.name
}

// ATR returns the card's answer to reset.
func (c *Card) ATR() []byte { return append([]byte(nil), ATR...) }
