package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/uketsuke/uketsuke/sim/world"
	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "world serve", Summary: "serve the simulated world to a kiosk in another process (card on vpcd, eligibility stand-in, camera files)",
		Run: runWorldServe})
}

func runWorldServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("world serve", env)
	dir := fs.String("dir", "", "folder for the world's files and the kiosk's configuration (required)")
	photos := fs.String("photos", "", "one person's photographs: the first is the chip photo, the rest the face camera's (required)")
	addr := fs.String("vpcd", world.DefaultVPCDAddr, "vpcd slot for the card")
	reader := fs.String("reader", world.DefaultReader, "the reader name the kiosk may use")
	models := fs.String("models", "build/models", "face models for the kiosk")
	staffHash := fs.String("staff-pin-hash", "", "the kiosk's staff PIN hash (config hash-pin)")
	updateKey := fs.String("update-key", "", "base64 Ed25519 public key for update bundles")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *photos == "" {
		return fmt.Errorf("%w: world serve --dir DIR --photos DIR", ErrUsage)
	}
	s, err := world.Serve(world.ServeOptions{Dir: *dir, Photos: *photos, VPCDAddr: *addr})
	if err != nil {
		return err
	}
	defer s.Close()
	modelDir, _ := filepath.Abs(*models)
	cfg, err := wire.ServedConfig(s, wire.ServedKiosk{Dir: *dir, Models: modelDir, Reader: *reader,
		StaffHash: *staffHash, UpdateKey: *updateKey})
	if err != nil {
		return err
	}
	data, err := cfg.Marshal()
	if err != nil {
		return err
	}
	kiosk := filepath.Join(*dir, "kiosk.json")
	if err := os.WriteFile(kiosk, data, 0o600); err != nil {
		return err
	}
	holder, _ := os.Create(filepath.Join(*dir, "holder.txt")) // for the log check: never printed
	for _, v := range s.Holder() {
		fmt.Fprintln(holder, v)
	}
	holder.Close()
	fmt.Fprintf(env.Stdout, "world ready: kiosk configuration %s; the card is on %s (type pull, insert or quit)\n", kiosk, *addr)
	return s.Commands(ctx, os.Stdin, env.Stdout)
}
