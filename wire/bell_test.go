package wire

import (
	"errors"
	"testing"
)

func TestNewBellTakesTheSpeechPlayers(t *testing.T) {
	for name, build := range map[string]func([]string) error{
		"bell":      func(p []string) error { _, err := NewBell(p, nil); return err },
		"key tones": func(p []string) error { _, err := NewKeyTones(p, nil); return err },
	} {
		t.Run(name, func(t *testing.T) { soundsTakeTheSpeechPlayers(t, build) })
	}
}

func soundsTakeTheSpeechPlayers(t *testing.T, build func([]string) error) {
	if err := build([]string{PlayerNone}); err != nil {
		t.Fatalf("silent: %v", err)
	}
	if err := build([]string{"cat"}); err != nil {
		t.Fatalf("a named player: %v", err)
	}
	t.Setenv("PATH", t.TempDir()) // neither paplay nor aplay
	if err := build(nil); !errors.Is(err, ErrConfig) {
		t.Fatalf("no player installed: %v", err)
	}
}
