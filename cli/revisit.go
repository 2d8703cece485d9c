package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/revisit"
)

func init() {
	Register(Command{Name: "revisit keygen", Summary: "add a fresh re-visit key as the current one: revisit keygen --file FILE --id ID (0600; for parts.revisit.code_keys_file or data_keys_file)", Run: runRevisitKeygen})
}

// runRevisitKeygen writes a new 32-byte key as the first line of a key
// file (made 0600), so it becomes the current key while the older lines
// still open what they made. The key never reaches the terminal.
func runRevisitKeygen(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("revisit keygen", env)
	file := fs.String("file", "", "the key file to make or to add to (mode 0600)")
	id := fs.String("id", "", "the new key's id, e.g. code-2026 (letters, digits, . _ -; unique in the file)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *file == "" || *id == "" {
		return fmt.Errorf("%w: revisit keygen --file FILE --id ID", ErrUsage)
	}
	err := revisit.AddKeyFileKey(*file, *id)
	if errors.Is(err, revisit.ErrKeyID) {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: key %q is now the current key; restart the kiosk to use it\n", *file, *id)
	return nil
}
