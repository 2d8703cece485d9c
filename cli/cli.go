// Package cli holds uketsuke's subcommands. Each command registers itself from
// its own file, so features add commands without touching a central switch.
// The package never imports fyne.io/fyne/v2/app: only main does.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Command is one subcommand, possibly with nested words ("card read").
type Command struct {
	Name    string // space-separated words, e.g. "card read"
	Summary string
	Run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a command may touch: its streams, so tests can capture them.
type Env struct {
	Stdin  io.Reader // nil: the process's standard input
	Stdout io.Writer
	Stderr io.Writer
}

func (e *Env) stdin() io.Reader {
	if e.Stdin == nil {
		return os.Stdin
	}
	return e.Stdin
}

// ErrUsage marks an error caused by the command line rather than the work.
var ErrUsage = errors.New("usage")

var registry = map[string]Command{}

// Register adds a command; it panics on a duplicate name, a programming error.
func Register(c Command) {
	if _, dup := registry[c.Name]; dup {
		panic("cli: duplicate command " + c.Name)
	}
	registry[c.Name] = c
}

// Has reports whether args start with a registered command.
func Has(args []string) bool {
	_, _, ok := lookup(args)
	return ok
}

// Run dispatches args (without the program name) to the longest matching command.
func Run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 1 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		Usage(env.Stdout)
		return nil
	}
	cmd, rest, ok := lookup(args)
	if !ok {
		Usage(env.Stderr)
		if len(args) == 0 {
			return fmt.Errorf("%w: no command", ErrUsage)
		}
		return fmt.Errorf("%w: unknown command %q", ErrUsage, strings.Join(args, " "))
	}
	return cmd.Run(ctx, env, rest)
}

func lookup(args []string) (Command, []string, bool) {
	for n := len(args); n > 0; n-- {
		if c, ok := registry[strings.Join(args[:n], " ")]; ok {
			return c, args[n:], true
		}
	}
	return Command{}, nil, false
}

// Usage lists every command.
func Usage(w io.Writer) {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: uketsuke [command] [flags]   (no command: the kiosk)")
	for _, n := range names {
		fmt.Fprintf(w, "  %-22s %s\n", n, registry[n].Summary)
	}
}

// Main runs a command for the process and returns its exit code.
func Main(args []string) int {
	env := &Env{Stdout: os.Stdout, Stderr: os.Stderr}
	err := Run(context.Background(), env, args)
	if err != nil {
		fmt.Fprintln(env.Stderr, "uketsuke:", err)
	}
	return ExitCode(err)
}
