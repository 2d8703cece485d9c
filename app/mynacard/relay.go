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

// Relay forwards one command APDU from the eligibility service to the card,
// for 特定機関認証, where the service drives JPKI-AP through the kiosk.
// Only JPKI-AP can be reached this way (so neither the 個人番号 nor 照合番号A
// ever can), and no credential may be presented through it: a remote party
// must not be able to spend the patient's PIN tries.
func (c *Card) Relay(ctx context.Context, raw []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRelayRefused, err)
	}
	if err := c.admitRelayed(cmd); err != nil {
		return nil, err
	}
	if isSelectDF(cmd) {
		c.current = appNone // selected below; becomes JPKI on success
	}
	resp, err := c.ch.T.Transmit(ctx, raw)
	if err != nil {
		return nil, err
	}
	if isSelectDF(cmd) {
		if r, perr := apdu.ParseResponse(resp); perr == nil && r.SW == apdu.SWOK {
			c.current = appJPKI
		}
	}
	return resp, nil
}

func isSelectDF(cmd apdu.Command) bool { return cmd.INS == 0xA4 && cmd.P1 == 0x04 }

func (c *Card) admitRelayed(cmd apdu.Command) error {
	switch {
	case isSelectDF(cmd):
		if !bytes.Equal(cmd.Data, aids[appJPKI]) {
			return fmt.Errorf("%w: only JPKI-AP may be selected", ErrRelayRefused)
		}
	case c.current != appJPKI:
		return fmt.Errorf("%w: JPKI-AP is not selected", ErrRelayRefused)
	case cmd.INS == 0x20 && len(cmd.Data) > 0:
		return fmt.Errorf("%w: credentials are never relayed", ErrRelayRefused)
	}
	return nil
}
