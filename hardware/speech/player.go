package speech

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
)

// Player sends a WAV file to the loudspeaker and returns when it has been
// played or ctx ends. firstByte, when not nil, is called once the player
// has taken the first bytes: the moment sound starts, for measurements.
type Player interface {
	Play(ctx context.Context, wav []byte, firstByte func()) error
}

// CommandPlayer runs a program that plays a WAV file from its standard
// input (aplay -q -, paplay, or one the clinic configures).
type CommandPlayer struct{ Argv []string }

// Play runs the program and writes wav to it.
func (p CommandPlayer) Play(ctx context.Context, wav []byte, firstByte func()) error {
	if len(p.Argv) == 0 {
		return fmt.Errorf("%w: no player command", ErrNoEngine)
	}
	cmd := exec.CommandContext(ctx, p.Argv[0], p.Argv[1:]...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("speech: player %s: %w", p.Argv[0], err)
	}
	// The header and a little sound first: the player starts on those.
	head := min(len(wav), 4096)
	_, werr := in.Write(wav[:head])
	if werr == nil && firstByte != nil {
		firstByte()
	}
	if werr == nil {
		_, werr = io.Copy(in, bytes.NewReader(wav[head:]))
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("speech: player %s: %v: %s", p.Argv[0], err, firstLine(stderr.Bytes()))
	}
	return werr
}

// Discard plays nothing: rendering only (tests, a kiosk without sound).
type Discard struct{}

// Play calls firstByte and returns.
func (Discard) Play(_ context.Context, _ []byte, firstByte func()) error {
	if firstByte != nil {
		firstByte()
	}
	return nil
}

// FindPlayer returns aplay or paplay, whichever is installed, and false
// when neither is.
func FindPlayer() (CommandPlayer, bool) {
	for _, argv := range [][]string{{"paplay"}, {"aplay", "-q", "-"}} {
		if _, err := exec.LookPath(argv[0]); err == nil {
			return CommandPlayer{Argv: argv}, true
		}
	}
	return CommandPlayer{}, false
}
