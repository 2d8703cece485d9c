package wire

import (
	"errors"
	"testing"
)

func TestNewBellTakesTheSpeechPlayers(t *testing.T) {
	if _, err := NewBell([]string{PlayerNone}, nil); err != nil {
		t.Fatalf("a silent bell: %v", err)
	}
	if _, err := NewBell([]string{"cat"}, nil); err != nil {
		t.Fatalf("a named player: %v", err)
	}
	t.Setenv("PATH", t.TempDir()) // neither paplay nor aplay
	if _, err := NewBell(nil, nil); !errors.Is(err, ErrConfig) {
		t.Fatalf("no player installed: %v", err)
	}
}
