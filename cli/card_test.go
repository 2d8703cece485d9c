package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runIn(t, "", args...)
}

// runIn runs a command with stdin as its standard input.
func runIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}, args)
	return out.String() + errOut.String(), err
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	if _, err := run(t, "card", "frobnicate"); !errors.Is(err, ErrUsage) {
		t.Fatalf("unknown command: %v", err)
	}
	if Main([]string{"no-such-command"}) != 2 {
		t.Fatal("usage errors exit 2")
	}
}

func TestAllowListPatterns(t *testing.T) {
	a := parseAllow("Virtual PCD*, ACS ACR1252U 00 00")
	for reader, want := range map[string]bool{
		"Virtual PCD 00 01": true, "ACS ACR1252U 00 00": true, "ACS ACR1252U 00 01": false, "Evil Reader": false,
	} {
		if a.Allows(reader) != want {
			t.Errorf("%q: allowed=%v", reader, !want)
		}
	}
	if (parseAllow("")).Allows("Virtual PCD 00 00") {
		t.Error("an empty allow-list admits a reader")
	}
}

func TestCameraListOnAMachineWithoutCameras(t *testing.T) {
	out, err := run(t, "camera", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "no cameras") && !strings.Contains(out, `"driver"`) {
		t.Fatalf("camera list printed %q", out)
	}
}

func TestHelpListsCommands(t *testing.T) {
	out, err := run(t, "help")
	if err != nil || !strings.Contains(out, "readers") || !strings.Contains(out, "simulate") {
		t.Fatalf("help: %v %q", err, out)
	}
}
