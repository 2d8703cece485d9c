// Command uketsuke is the face-authentication card reader kiosk.
//
//	uketsuke [kiosk] [--config FILE] [--dry-run --json]   the production kiosk
//	uketsuke demo [--script NAME --exit-when-done]         the kiosk in the simulated world
//	uketsuke COMMAND ...                                   a tool (uketsuke help)
//
// The production kiosk reads its configuration (default
// /etc/uketsuke/config.json), applies verified update bundles, hardens the
// process before anything else, and builds its parts through the
// composition root (wire/). The demo builds the simulated world through the
// same root and adds an operator window. This is the only package that
// imports fyne.io/fyne/v2/app, so everything else builds and tests without
// OpenGL.
package main

import (
	"fmt"
	"os"

	"github.com/uketsuke/uketsuke/app/harden"
	"github.com/uketsuke/uketsuke/cli"
)

func main() {
	args := os.Args[1:]
	switch {
	case len(args) == 0 || args[0] == "kiosk" || args[0] == "--config":
		if len(args) > 0 && args[0] == "kiosk" {
			args = args[1:]
		}
		os.Exit(production(args))
	case args[0] == "demo":
		os.Exit(demo(args[1:]))
	}
	os.Exit(cli.Main(args))
}

// production runs the clinic's kiosk from its configuration.
func production(args []string) int {
	f, err := cli.ParseKioskFlags(args, os.Stderr)
	if err != nil {
		return fail(err)
	}
	env := &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}
	if f.DryRun {
		return fail(cli.DryRun(env, f))
	}
	// First of all: no core dumps and no ptrace attach, before any card,
	// photo or PIN can be in memory.
	if err := harden.Apply(); err != nil {
		return fail(err)
	}
	cfg, rep, err := cli.LoadKioskConfig(f.Config)
	if err != nil {
		return fail(err)
	}
	cli.PrintUpdates(os.Stderr, rep)
	if !haveDisplay() {
		fmt.Fprintln(os.Stderr, noDisplayHelp)
		return 1
	}
	return runKiosk(cfg, kioskMode{production: true})
}

// fail prints an error and gives the exit status: 2 for a command line or
// configuration the kiosk refuses, 1 otherwise, 0 for none.
func fail(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, "uketsuke:", err)
	}
	return cli.ExitCode(err)
}

// haveDisplay: GLFW panics without a display, so say so first.
func haveDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}

const noDisplayHelp = `uketsuke: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).
The kiosk needs a graphical session. On a machine without one, run it under Xvfb:
    xvfb-run -a -s "-screen 0 1280x800x24" ./bin/uketsuke demo
Screens can also be rendered without any display:
    ./bin/uketsuke screenshot --lang en --screen method --out method.png`
