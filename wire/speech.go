package wire

import (
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/hardware/speech"
	"github.com/uketsuke/uketsuke/i18n"
)

// Speech players: the loudspeaker through paplay or aplay, whichever is
// installed, or nothing (render only: tests, measurements).
const (
	PlayerAuto = config.SpeechPlayerAuto
	PlayerNone = config.SpeechPlayerNone
)

// SpeakerOptions choose the voice guidance's parts (the kiosk's come from
// its configuration: SpeakerOf).
type SpeakerOptions struct {
	// Player is PlayerAuto (the default), PlayerNone, or a command that
	// plays a WAV file from its standard input.
	Player []string
	// Rate is espeak-ng's speed in words per minute; 0: 150.
	Rate int
	// Volume is the loudness in percent, 1–100; 0: 100.
	Volume int
	// DoubtfulVoices lets Thai and Burmese speak (speech.EspeakDoubtful).
	DoubtfulVoices bool
	// Catalog holds the words (with the facility's overrides); nil: the
	// built-in catalogue.
	Catalog *i18n.Catalog
	// OnFirstByte hears how long each utterance took to start.
	OnFirstByte func(lang i18n.Lang, key i18n.Key, d time.Duration)
}

// NewSpeaker builds the voice guidance's speaker: espeak-ng rendering
// every prompt guidance.Keys names, and the player. It fails with
// speech.ErrNoEngine when espeak-ng is not installed.
func NewSpeaker(o SpeakerOptions) (*speech.Speaker, error) {
	if o.Rate != 0 && (o.Rate < 80 || o.Rate > 450) {
		return nil, bad("speech.rate", "%d words a minute is outside espeak-ng's 80–450", o.Rate)
	}
	engine := speech.Espeak{Rate: o.Rate, Doubtful: o.DoubtfulVoices}
	if err := engine.Check(); err != nil {
		return nil, err
	}
	player, err := speechPlayer(o.Player)
	if err != nil {
		return nil, err
	}
	cat := o.Catalog
	if cat == nil {
		cat = i18n.MustLoad()
	}
	return speech.NewSpeaker(speech.Options{Engine: engine, Player: player, Catalog: cat,
		Keys: guidance.Keys(), Volume: o.Volume, OnFirstByte: o.OnFirstByte})
}

// SpeakerOf builds the kiosk's speaker from its configuration
// (parts.speech) and the facility's catalogue; nil, and no error, when
// voice guidance is off or its volume is 0. A kiosk that cannot speak
// (no espeak-ng, no player) gets the error and stays silent.
func SpeakerOf(cfg *config.Config, cat *i18n.Catalog) (*speech.Speaker, error) {
	s := cfg.Parts.SpeechOrDefault()
	if !s.Enabled || s.Volume == 0 {
		return nil, nil
	}
	return NewSpeaker(SpeakerOptions{Player: s.Player, Rate: s.Rate, Volume: s.Volume,
		DoubtfulVoices: s.DoubtfulVoices, Catalog: cat})
}

func speechPlayer(argv []string) (speech.Player, error) {
	switch {
	case len(argv) == 0 || len(argv) == 1 && argv[0] == PlayerAuto:
		if p, ok := speech.FindPlayer(); ok {
			return p, nil
		}
		return nil, bad("speech.player", "neither paplay nor aplay is installed; name a player or %q", PlayerNone)
	case len(argv) == 1 && argv[0] == PlayerNone:
		return speech.Discard{}, nil
	}
	return speech.CommandPlayer{Argv: argv}, nil
}
