package cli

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/staff"
)

func init() {
	Register(Command{Name: "config init", Summary: "write a commented starter configuration: config init --out FILE", Run: runConfigInit})
	Register(Command{Name: "config hash-pin", Summary: "hash a staff PIN (6-12 digits, read from standard input) for parts.staff.pin_hash", Run: runHashPIN})
	Register(Command{Name: "config keygen", Summary: "make an Ed25519 key pair for update bundles: config keygen --out PREFIX", Run: runKeygen})
	Register(Command{Name: "config sign", Summary: "sign a configuration as an update bundle: config sign --key PREFIX.key --in FILE --out FILE.bundle (--valid-for 720h | --not-after TIME) [--kiosk ID]", Run: runSign})
	Register(Command{Name: "config apply", Summary: "apply waiting update bundles as the kiosk does at start: config apply [--config FILE]", Run: runApply})
}

func runConfigInit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("config init", env)
	out := fs.String("out", "", "file to write (refuses to overwrite)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: config init --out FILE", ErrUsage)
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(config.Starter()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s; edit it, then check it with: uketsuke kiosk --config %s --dry-run\n", *out, *out)
	return nil
}

// runHashPIN reads the PIN from standard input (never the command line,
// which other users can see) and prints its hash.
func runHashPIN(ctx context.Context, env *Env, args []string) error {
	if err := parseFlags(newFlags("config hash-pin", env), args); err != nil {
		return err
	}
	line, err := bufio.NewReader(os.Stdin).ReadSlice('\n')
	if err != nil && len(line) == 0 {
		return fmt.Errorf("%w: type the staff PIN on standard input", ErrUsage)
	}
	pin, err := secret.Take([]byte(strings.TrimRight(string(line), "\r\n")))
	secret.Wipe(line)
	if err != nil {
		return err
	}
	defer pin.Destroy()
	h, err := staff.HashPIN(pin.Bytes())
	if errors.Is(err, staff.ErrPINForm) {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, h)
	return nil
}

func runKeygen(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("config keygen", env)
	out := fs.String("out", "", "PREFIX: writes PREFIX.key (private, 0600) and PREFIX.pub")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: config keygen --out PREFIX", ErrUsage)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	enc := base64.StdEncoding
	if err := os.WriteFile(*out+".key", []byte(enc.EncodeToString(priv.Seed())+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(*out+".pub", []byte(enc.EncodeToString(pub)+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n", enc.EncodeToString(pub))
	return nil
}

func runSign(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("config sign", env)
	keyFile := fs.String("key", "", "the private key from config keygen")
	in := fs.String("in", "", "the configuration to distribute (policy only: no parts)")
	out := fs.String("out", "", "the bundle to write")
	validFor := fs.Duration("valid-for", 0, "the kiosks may apply the bundle for this long from now (e.g. 720h)")
	notAfter := fs.String("not-after", "", "or: until this time (RFC 3339, e.g. 2027-01-31T23:59:59+09:00)")
	kiosk := fs.String("kiosk", "", "address the bundle to this kiosk only (its parts.kiosk_id); default every kiosk of the facility")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *keyFile == "" || *in == "" || *out == "" {
		return fmt.Errorf("%w: config sign --key FILE --in FILE --out FILE (--valid-for D | --not-after TIME)", ErrUsage)
	}
	expiry, err := bundleExpiry(*validFor, *notAfter, time.Now())
	if err != nil {
		return err
	}
	seed, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(seed)))
	if err != nil || len(raw) != ed25519.SeedSize {
		return fmt.Errorf("%w: %s is not a key from config keygen", ErrUsage, *keyFile)
	}
	doc, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	// The facility is the document's own: a bundle is addressed where its
	// policy belongs.
	c, err := config.Parse(doc)
	if err != nil {
		return err
	}
	cl := config.Claims{NotAfter: expiry, Facility: c.Facility.Code, Kiosk: *kiosk}
	b, err := config.SignBundle(doc, cl, ed25519.NewKeyFromSeed(raw))
	if err != nil {
		return err
	}
	return os.WriteFile(*out, b, 0o644)
}

// bundleExpiry is the one expiry the flags give; a bundle must have one.
func bundleExpiry(validFor time.Duration, notAfter string, now time.Time) (time.Time, error) {
	switch {
	case validFor != 0 && notAfter != "":
		return time.Time{}, fmt.Errorf("%w: --valid-for or --not-after, not both", ErrUsage)
	case validFor > 0:
		return now.Add(validFor), nil
	case notAfter != "":
		t, err := time.Parse(time.RFC3339, notAfter)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: --not-after: %v", ErrUsage, err)
		}
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("%w: --not-after %s is already past", ErrUsage, notAfter)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: a bundle needs an expiry: --valid-for 720h or --not-after TIME", ErrUsage)
}

func runApply(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("config apply", env)
	path := fs.String("config", DefaultConfigPath, "the kiosk's configuration file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, rep, err := LoadKioskConfig(*path)
	if err != nil {
		return err
	}
	PrintUpdates(env.Stdout, rep)
	fmt.Fprintf(env.Stdout, "running serial %d\n", rep.Serial)
	if len(rep.Refused) > 0 {
		return fmt.Errorf("%d bundle(s) refused", len(rep.Refused))
	}
	return nil
}
