package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/uketsuke/uketsuke/app/reception"
	simreception "github.com/uketsuke/uketsuke/sim/reception"
)

func init() {
	Register(Command{Name: "reception samples", Summary: "write the face/ file of every result kind (社保, 国保, 後期高齢, errors...) into a 連携 folder",
		Run: receptionSamples})
}

func receptionSamples(_ context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("reception samples", flag.ContinueOnError)
	dir := fs.String("dir", "", "the 連携 folder; face/ is made inside it (required)")
	encName := fs.String("encoding", "utf-8", "utf-8 or shift_jis")
	kiosk := fs.String("kiosk", "KIOSK01", "the kiosk id in the file names")
	state := fs.String("state", "", "folder for the file counter (default DIR/.state)")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: --dir is required", ErrUsage)
	}
	enc, err := reception.ParseEncoding(*encName)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if *state == "" {
		*state = filepath.Join(*dir, ".state")
	}
	if err := os.MkdirAll(*state, 0o700); err != nil {
		return err
	}
	w, err := reception.NewWriter(reception.WriterConfig{Root: *dir, StateDir: *state, KioskID: *kiosk,
		Institution: simreception.Institution, Encoding: enc})
	if err != nil {
		return err
	}
	for _, c := range simreception.Cases() {
		written, err := w.Write(c.Result, c.Facts)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		fmt.Fprintf(env.Stdout, "%-18s %s (%d replaced)\n", c.Name, written.Path, written.Replaced)
	}
	return nil
}
