package mynacard

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/apdu"
)

// ErrRelayRefused means a command from the eligibility service was not
// forwarded to the card.
var ErrRelayRefused = errors.New("mynacard: relayed command refused")

// MaxRelayedCommands caps the commands one card session forwards. The whole
// PIN-less exchange takes about twenty; the cap stops a service that loops.
const MaxRelayedCommands = 64

// RelayLimitError is returned once a card session has forwarded
// MaxRelayedCommands commands; it is an ErrRelayRefused.
type RelayLimitError struct{ Max int }

func (e *RelayLimitError) Error() string {
	return fmt.Sprintf("mynacard: relayed command refused: more than %d commands in one card session", e.Max)
}

// Unwrap makes the limit an ErrRelayRefused.
func (e *RelayLimitError) Unwrap() error { return ErrRelayRefused }

// Instruction bytes of the PIN-less 特定機関認証 exchange (sim/onshi/pinless
// documents it) besides SELECT and READ BINARY.
const (
	insSelect         = 0xA4
	insReadBinary     = 0xB0
	insSetPublicKey   = 0xA2
	insGetChallenge   = 0x84
	insExternalAuth   = 0x82
	insInternalAuth   = 0x88
	p2PinlessUserAuth = 0x81 // the user-authentication key, PIN-less
	challengeLen      = 8
	nonceLen          = 32
	claChaining       = 0x10 // ISO 7816-4 command chaining: more data follows
)

// relayReadable are the public files the exchange reads; relayKey is the key
// it signs with. Nothing else of JPKI-AP (the PIN file, the 署名用 side) can be
// selected through the relay.
var relayReadable = map[fileID]bool{jpkiAuthCert: true, jpkiAuthCACert: true, jpkiToken: true}

const relayKey = jpkiAuthKey

// Relay forwards one command APDU from the eligibility service to the card,
// for 特定機関認証, where the service drives JPKI-AP through the kiosk.
// It forwards only the commands of the PIN-less exchange, each in the one
// form the exchange uses (an allow-list, not a list of known dangers): so
// only JPKI-AP's public certificates, its token information and its
// user-authentication key can be reached, no credential can be presented or
// changed, and no other channel or secure-messaging session can be opened.
func (c *Card) Relay(ctx context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRelayRefused, err)
	}
	// Forward only what re-encodes to the same bytes, so the card cannot
	// read a different command from them than the one checked here.
	if enc, err := cmd.Encode(); err != nil || !bytes.Equal(enc, raw) {
		return nil, &refusal{"not in canonical form", cmd}
	}
	if err := c.admitRelayed(cmd); err != nil {
		return nil, err
	}
	if c.relayed >= MaxRelayedCommands {
		return nil, &RelayLimitError{Max: MaxRelayedCommands}
	}
	c.relayed++
	sel := cmd.INS == insSelect // the only admitted command that moves the selection
	if sel {
		c.relayEF, c.currentEF = 0, 0 // until the card says otherwise
		if cmd.P1 == 0x04 {
			c.current = appNone // becomes JPKI on success
		}
	}
	resp, err := c.ch.T.Transmit(ctx, raw)
	if err != nil {
		return nil, err
	}
	if sel {
		if r, perr := apdu.ParseResponse(resp); perr == nil && r.SW == apdu.SWOK {
			if cmd.P1 == 0x04 {
				c.current = appJPKI
			} else {
				c.relayEF = fileID(cmd.Data[0])<<8 | fileID(cmd.Data[1])
				c.currentEF = c.relayEF
			}
		}
	}
	return resp, nil
}

// refusal says why a command was not forwarded; formatted only when read,
// since a hostile service may send many.
type refusal struct {
	why string
	cmd apdu.Command
}

func (e *refusal) Error() string {
	return fmt.Sprintf("%v: %s (%02X %02X %02X %02X)", ErrRelayRefused, e.why, e.cmd.CLA, e.cmd.INS, e.cmd.P1, e.cmd.P2)
}

func (e *refusal) Unwrap() error { return ErrRelayRefused }

// maxExtendedRelayData bounds an extended command's data: the exchange's
// longest is the institution's CV certificate, well under a kilobyte.
const maxExtendedRelayData = 2048

// extendedInExchange admits the extended form only where the exchange sends
// one long piece of data in place of a chain: SET PUBLIC KEY and EXTERNAL
// AUTHENTICATE, unchained, without Le.
func extendedInExchange(cmd apdu.Command) bool {
	long := cmd.INS == insSetPublicKey && cmd.CLA == 0x80 || cmd.INS == insExternalAuth && cmd.CLA == 0x00
	return long && cmd.Le == 0 && len(cmd.Data) <= maxExtendedRelayData
}

// admitRelayed is the allow-list. CLA must be exactly the one the command
// uses (chaining only where the exchange chains), which refuses logical
// channels, secure messaging and proprietary classes.
func (c *Card) admitRelayed(cmd apdu.Command) error {
	refuse := func(why string) error { return &refusal{why, cmd} }
	if cmd.Extended() && !extendedInExchange(cmd) {
		return refuse("extended length only carries the institution's certificate or signature")
	}
	if cmd.INS == insSelect && cmd.CLA == 0x00 && cmd.P1 == 0x04 && cmd.P2 == 0x0C && cmd.Le == 0 {
		if !bytes.Equal(cmd.Data, aids[appJPKI]) {
			return refuse("only JPKI-AP may be selected")
		}
		return nil
	}
	if c.current != appJPKI {
		return refuse("JPKI-AP is not selected")
	}
	data, le := len(cmd.Data), cmd.Le
	p12 := uint16(cmd.P1)<<8 | uint16(cmd.P2)
	switch {
	case cmd.INS == insSelect && cmd.CLA == 0x00 && p12 == 0x020C && data == 2 && le == 0:
		fid := fileID(cmd.Data[0])<<8 | fileID(cmd.Data[1])
		if !relayReadable[fid] && fid != relayKey {
			return refuse("file not used by the exchange")
		}
	case cmd.INS == insReadBinary && cmd.CLA == 0x00 && cmd.P1&0x80 == 0 && data == 0 && le > 0:
		// P1 bit 8 would name another file by short id: only the selected one.
		if !relayReadable[c.relayEF] {
			return refuse("no public file selected")
		}
	case cmd.INS == insSetPublicKey && cmd.CLA&^claChaining == 0x80 && p12 == 0 && data > 0 && le == 0:
	case cmd.INS == insGetChallenge && cmd.CLA == 0x00 && p12 == 0 && data == 0 && le == challengeLen:
	case cmd.INS == insExternalAuth && cmd.CLA&^claChaining == 0x00 && p12 == 0 && data > 0 && le == 0:
	case cmd.INS == insInternalAuth && cmd.CLA == 0x00 && p12 == p2PinlessUserAuth && data == nonceLen:
		if c.relayEF != relayKey {
			return refuse("the user-authentication key is not selected")
		}
	default:
		return refuse("not a command of the PIN-less exchange")
	}
	return nil
}
