package config

import (
	"errors"
	"strings"
	"testing"
)

func TestSpeechIsValidated(t *testing.T) {
	bad := []struct {
		field string
		s     Speech
	}{
		{"parts.speech.volume", Speech{Enabled: true, Volume: 101}},
		{"parts.speech.volume", Speech{Enabled: true, Volume: -1}},
		{"parts.speech.rate", Speech{Enabled: true, Volume: 50, Rate: 79}},
		{"parts.speech.rate", Speech{Enabled: true, Volume: 50, Rate: 451}},
		{"parts.speech.player[1]", Speech{Enabled: true, Volume: 50, Player: []string{"paplay", " "}}},
		{"parts.speech.player", Speech{Enabled: true, Volume: 50, Player: []string{"none", "-q"}}},
	}
	for _, c := range bad {
		cfg := Default()
		cfg.Parts = simulatedParts()
		cfg.Parts.Speech = &c.s
		err := cfg.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%+v: got %v, want a complaint about %s", c.s, err, c.field)
		}
	}
	for _, s := range []Speech{{}, {Enabled: true, Volume: 100, Rate: 150, Player: []string{"aplay", "-q", "-"}},
		{Enabled: true, Player: []string{"none"}}} {
		cfg := Default()
		cfg.Parts = simulatedParts()
		cfg.Parts.Speech = &s
		if err := cfg.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}

func TestSpeechDefaultsToOn(t *testing.T) {
	if p := (*Parts)(nil).SpeechOrDefault(); !p.Enabled || p.Volume != 100 {
		t.Fatalf("no parts: %+v", p)
	}
	cfg, err := Parse(Starter())
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Parts.SpeechOrDefault(); !s.Enabled || s.Volume != 100 {
		t.Fatalf("the starter's voice guidance: %+v", s)
	}
	for doc, want := range map[string]Speech{
		`{"volume": 60}`:                        {Enabled: true, Volume: 60},
		`{"enabled": false}`:                    {Volume: 100},
		`{"enabled": true, "player": ["none"]}`: {Enabled: true, Volume: 100, Player: []string{"none"}},
	} {
		var s Speech
		if err := s.UnmarshalJSON([]byte(doc)); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if s.Enabled != want.Enabled || s.Volume != want.Volume || strings.Join(s.Player, " ") != strings.Join(want.Player, " ") {
			t.Errorf("%s: %+v, want %+v", doc, s, want)
		}
	}
	var s Speech
	if err := s.UnmarshalJSON([]byte(`{"loud": true}`)); err == nil {
		t.Fatal("an unknown field was taken")
	}
}
