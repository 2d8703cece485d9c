package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	_ "image/jpeg" // profile photos
	_ "image/png"
	"os"
	"strings"

	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/vpcd"
	"github.com/uketsuke/uketsuke/sim/world"
)

func init() {
	Register(Command{Name: "readers", Summary: "list PC/SC readers and whether the allow-list admits them", Run: runReaders})
	Register(Command{Name: "card sim", Summary: "run a virtual My Number Card on vsmartcard's vpcd", Run: runCardSim})
}

// defaultAllow admits the virtual readers only; a kiosk configures its own.
const defaultAllow = "Virtual PCD*"

func allowFlag(fs *flag.FlagSet) *string {
	return fs.String("allow", defaultAllow, "comma-separated reader names allowed (a trailing * matches a prefix)")
}

func parseAllow(s string) pcsc.AllowList {
	var out pcsc.AllowList
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func newFlags(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	return nil
}

func runReaders(_ context.Context, env *Env, args []string) error {
	fs := newFlags("readers", env)
	allow := allowFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	allowList := parseAllow(*allow)
	pc, err := pcsc.Establish(allowList)
	if err != nil {
		return err
	}
	defer pc.Close()
	readers, err := pc.Readers()
	if err != nil {
		return err
	}
	if len(readers) == 0 {
		fmt.Fprintln(env.Stdout, "no readers")
	}
	for _, r := range readers {
		present, _ := pc.CardPresent(r)
		fmt.Fprintf(env.Stdout, "%-32s allowed=%-5v card=%v\n", r, allowList.Allows(r), present)
	}
	return nil
}

// latencyByName maps --latency values.
func latencyByName(name string) (vcard.Latency, error) {
	switch name {
	case "real":
		return vcard.RealLatency, nil
	case "none", "":
		return vcard.Latency{}, nil
	}
	return vcard.Latency{}, fmt.Errorf("%w: --latency must be real or none", ErrUsage)
}

// newVirtualCard builds a card from a profile file, or the demo holder.
func newVirtualCard(profilePath, latency string) (*vcard.Card, *profile.Profile, error) {
	lat, err := latencyByName(latency)
	if err != nil {
		return nil, nil, err
	}
	return world.CardFromProfile(profilePath, lat)
}

func runCardSim(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("card sim", env)
	addr := fs.String("vpcd", vpcd.DefaultAddr, "vpcd address (host:port)")
	prof := fs.String("profile", "", "holder profile (JSON); default: the demo holder")
	latency := fs.String("latency", "none", "card latency model: real or none")
	trustOut := fs.String("write-trust", "", "also write the test trust anchors (JSON) to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	card, _, err := newVirtualCard(*prof, *latency)
	if err != nil {
		return err
	}
	if *trustOut != "" {
		if err := writeTestTrust(*trustOut); err != nil {
			return err
		}
	}
	client := vpcd.New(*addr, card)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		client.Operate(ctx, os.Stdin, env.Stdout)
		cancel()
	}()
	fmt.Fprintf(env.Stdout, "virtual My Number Card on vpcd %s (type pull, insert or quit)\n", *addr)
	if err := client.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func writeTestTrust(path string) error {
	data, err := json.Marshal(jlis.New(jlis.DefaultSeed).Anchors())
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func loadTrust(spec string) (*mynacard.TrustAnchors, error) {
	if spec == "test" {
		return jlis.New(jlis.DefaultSeed).Anchors(), nil
	}
	return mynacard.LoadTrustAnchors(spec)
}
