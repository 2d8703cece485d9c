package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "kiosk", Summary: "the kiosk from its configuration (--config FILE); with --dry-run, only check it",
		Run: runKioskDryRun})
}

// DefaultConfigPath is where a clinic's kiosk keeps its configuration.
const DefaultConfigPath = "/etc/uketsuke/config.json"

// KioskFlags are the production kiosk's command line.
type KioskFlags struct {
	Config string
	DryRun bool
	JSON   bool
}

// ParseKioskFlags reads `uketsuke [kiosk] [--config FILE] [--dry-run] [--json]`.
func ParseKioskFlags(args []string, stderr io.Writer) (KioskFlags, error) {
	var f KioskFlags
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.Config, "config", DefaultConfigPath, "the kiosk's configuration file")
	fs.BoolVar(&f.DryRun, "dry-run", false, "check the configuration and name the parts; open no device or window")
	fs.BoolVar(&f.JSON, "json", false, "with --dry-run: one JSON object")
	if err := fs.Parse(args); err != nil {
		return f, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("%w: kiosk takes no arguments, only flags", ErrUsage)
	}
	return f, nil
}

// LoadKioskConfig reads the configuration file and applies the signed
// update bundles waiting for it (refusals are reported, never applied).
func LoadKioskConfig(path string) (*config.Config, config.UpdateReport, error) {
	local, err := config.Load(path)
	if err != nil {
		return nil, config.UpdateReport{}, fmt.Errorf("%w: %s: %w", wire.ErrConfig, path, err)
	}
	return config.ApplyUpdates(local)
}

// PrintUpdates says what happened to each bundle.
func PrintUpdates(w io.Writer, rep config.UpdateReport) {
	if rep.Applied != "" {
		fmt.Fprintf(w, "uketsuke: applied configuration bundle %s (serial %d)\n", rep.Applied, rep.Serial)
	}
	for _, r := range rep.Refused {
		fmt.Fprintf(w, "uketsuke: refused configuration bundle %s: %v\n", r.File, r.Err)
	}
}

// runKioskDryRun is `uketsuke kiosk --dry-run`: the kiosk itself needs a
// window, which only main opens.
func runKioskDryRun(ctx context.Context, env *Env, args []string) error {
	f, err := ParseKioskFlags(args, env.Stderr)
	if err != nil {
		return err
	}
	if !f.DryRun {
		return fmt.Errorf("%w: the kiosk runs from the main program; here only --dry-run", ErrUsage)
	}
	return DryRun(env, f)
}

// DryRun checks a configuration as the production kiosk would, without
// applying bundles, and prints its plan.
func DryRun(env *Env, f KioskFlags) error {
	c, err := config.Load(f.Config)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", wire.ErrConfig, f.Config, err)
	}
	plan, err := wire.PlanOf(c, true)
	if err != nil {
		return err
	}
	if f.JSON {
		return json.NewEncoder(env.Stdout).Encode(plan)
	}
	out, _ := json.MarshalIndent(plan, "", "  ")
	fmt.Fprintf(env.Stdout, "the kiosk would start with:\n%s\n", out)
	return nil
}

// ExitCode maps an error to the process's exit status: 2 for the command
// line or a configuration the kiosk refuses, 1 for anything else.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrUsage), errors.Is(err, wire.ErrConfig):
		return 2
	}
	return 1
}
