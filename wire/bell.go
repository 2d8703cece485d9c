package wire

import (
	"log/slog"

	"github.com/uketsuke/uketsuke/hardware/chime"
)

// NewBell builds the kiosk's call bell (ui.Bell): the chime through the
// player argv names (as SpeakerOptions.Player: nil or PlayerAuto finds
// paplay or aplay, PlayerNone is silent). It fails when no player is
// installed; the kiosk then works without a bell.
func NewBell(player []string, log *slog.Logger) (*chime.Bell, error) {
	p, err := speechPlayer(player)
	if err != nil {
		return nil, err
	}
	return chime.New(p, log), nil
}
