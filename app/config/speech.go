package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Speech is the kiosk's voice guidance (docs/speech.md): espeak-ng and a
// player. It is on unless a clinic switches it off: the patient with low
// vision or who reads no Japanese is the one the kiosk must not leave
// alone, and a clinic where it disturbs says so here.
type Speech struct {
	Enabled bool `json:"enabled"`
	// Volume is the loudness in percent of the engine's level, 0–100.
	Volume int `json:"volume"`
	// Player is a command that plays a WAV file from its standard input
	// (["paplay", "--device=…"]); empty or ["auto"]: paplay or aplay,
	// whichever is installed; ["none"]: render only, no sound.
	Player []string `json:"player,omitempty"`
	// Rate is espeak-ng's speed in words per minute, 80–450; 0: 150.
	Rate int `json:"rate,omitempty"`
	// DoubtfulVoices lets Thai and Burmese speak: espeak-ng misreads them,
	// so only after a native speaker has listened.
	DoubtfulVoices bool `json:"doubtful_voices,omitempty"`
}

// Speech players with a meaning of their own.
const (
	SpeechPlayerAuto = "auto"
	SpeechPlayerNone = "none"
)

// DefaultSpeech is voice guidance on, at full volume, through paplay or aplay.
func DefaultSpeech() Speech { return Speech{Enabled: true, Volume: 100} }

// SpeechOrDefault is the configured voice guidance, or DefaultSpeech.
func (p *Parts) SpeechOrDefault() Speech {
	if p == nil || p.Speech == nil {
		return DefaultSpeech()
	}
	return *p.Speech
}

// UnmarshalJSON reads a speech section strictly; fields it leaves out
// keep DefaultSpeech's values, so {"volume": 60} is still on.
func (s *Speech) UnmarshalJSON(b []byte) error {
	type plain Speech
	v := plain(DefaultSpeech())
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("parts.speech: %v", err)
	}
	*s = Speech(v)
	return nil
}

func (s Speech) validate() error {
	if s.Volume < 0 || s.Volume > 100 {
		return bad("parts.speech.volume", "%d is outside 0–100 (percent)", s.Volume)
	}
	if s.Rate != 0 && (s.Rate < 80 || s.Rate > 450) {
		return bad("parts.speech.rate", "%d words a minute is outside espeak-ng's 80–450", s.Rate)
	}
	for i, a := range s.Player {
		if strings.TrimSpace(a) == "" || strings.ContainsRune(a, 0) {
			return bad(fmt.Sprintf("parts.speech.player[%d]", i), "an empty or invalid argument")
		}
	}
	if len(s.Player) > 1 && (s.Player[0] == SpeechPlayerAuto || s.Player[0] == SpeechPlayerNone) {
		return bad("parts.speech.player", "%q takes no arguments", s.Player[0])
	}
	return nil
}
