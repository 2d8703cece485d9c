package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/app/secret"
)

// `face calibrate` measures every set (and, with --as-card-photo, every set
// against card photos), picks the threshold that keeps the FMR at or below
// the target on all of them, and writes it into a signed configuration
// bundle: the kiosk's accuracy setting changes only through such a file.

// thresholdStep is the precision the threshold is written with; rounding
// goes up, so the written value is never looser than the measured one.
const thresholdStep = 1e-4

type calibrateFlags struct {
	evalFlags
	target float64
	bundle string
	key    string
	base   string
	serial uint64
	// validFor is how long the kiosks may apply the bundle (0: 30 days).
	validFor time.Duration
	kiosk    string
}

func runFaceCalibrate(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("face calibrate", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var f calibrateFlags
	f.evalFlags.register(fs)
	fs.Float64Var(&f.target, "fmr", 1e-4, "false match rate to hold on every set")
	fs.StringVar(&f.bundle, "bundle", "", "write the threshold into this signed configuration bundle")
	fs.StringVar(&f.key, "key", "", "private key that signs the bundle: PREFIX.key from `uketsuke config keygen`, or Ed25519 PKCS#8 PEM")
	fs.StringVar(&f.base, "base", "", "configuration the threshold goes into (its parts are left out: bundles carry policy only); default: the built-in defaults")
	fs.Uint64Var(&f.serial, "serial", 0, "serial of the bundle (default: the base's serial + 1)")
	fs.DurationVar(&f.validFor, "valid-for", 0, "the kiosks may apply the bundle for this long (default 720h)")
	fs.StringVar(&f.kiosk, "kiosk", "", "address the bundle to this kiosk only (default: every kiosk of the base's facility)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if (f.bundle == "") != (f.key == "") {
		return fmt.Errorf("%w: --bundle and --key go together", ErrUsage)
	}
	if !(f.target > 0 && f.target < 1) {
		return fmt.Errorf("%w: --fmr must be between 0 and 1", ErrUsage)
	}
	// Read the key before minutes of measuring, so a wrong path fails fast.
	var signer *signingKey
	if f.key != "" {
		var err error
		if signer, err = readSigningKey(f.key); err != nil {
			return err
		}
		defer signer.Destroy()
	}
	p, st, cfg, err := runEval(ctx, env, &f.evalFlags)
	if err != nil {
		return err
	}
	defer p.Destroy()
	st.print(env.Stdout, cfg, p)
	var sets []face.ScoreSet
	for si := range p.sets {
		for _, m := range p.modes(si) {
			sets = append(sets, face.ScoreSet{Name: m.label, Genuine: m.genuine, Impostor: m.impostor})
		}
	}
	c, err := face.CalibrateSets(sets, f.target, thresholdStep)
	if err != nil {
		return err
	}
	printCalibration(env.Stdout, c)
	if signer == nil {
		return nil
	}
	if err := writeThresholdBundle(f, signer, c.Threshold); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote face.threshold %.4f into the signed bundle %s\n", c.Threshold, f.bundle)
	return nil
}

func printCalibration(w io.Writer, c face.Calibration) {
	fmt.Fprintf(w, "\nthreshold %.4f holds FMR ≤ %.0e on every set; decided by %s\n", c.Threshold, c.TargetFMR, c.DecidedBy)
	for _, s := range c.Sets {
		fnmr := "n/a (no genuine pairs)"
		if !math.IsNaN(s.At.FNMR) {
			fnmr = fmt.Sprintf("%.2f %%", 100*s.At.FNMR)
		}
		fmt.Fprintf(w, "  %s: its own threshold %.4f; at %.4f FMR %.2e, FNMR %s\n", s.Name, s.Own, c.Threshold, s.At.FMR, fnmr)
	}
}

// writeThresholdBundle puts the threshold into the base configuration,
// signs it and checks that the bundle opens with the signer's public key
// before it is written.
func writeThresholdBundle(f calibrateFlags, signer *signingKey, threshold float64) error {
	base := config.Default()
	if f.base != "" {
		var err error
		if base, err = config.Load(f.base); err != nil {
			return fmt.Errorf("%s: %w", f.base, err)
		}
	}
	// A bundle may not choose a kiosk's parts; each kiosk keeps its own.
	base.Parts = nil
	base.Face.Threshold = threshold
	base.Serial = max(f.serial, base.Serial+1)
	doc, err := base.Marshal()
	if err != nil {
		return err
	}
	validFor := f.validFor
	if validFor <= 0 {
		validFor = 30 * 24 * time.Hour
	}
	now := time.Now()
	cl := config.Claims{NotAfter: now.Add(validFor), Facility: base.Facility.Code, Kiosk: f.kiosk}
	bundle, pub, err := signer.sign(doc, cl)
	if err != nil {
		return err
	}
	got, err := config.OpenBundle(bundle, []ed25519.PublicKey{pub}, config.Audience{Facility: cl.Facility, Kiosk: cl.Kiosk, Now: now})
	if err != nil || got.Face.Threshold != threshold {
		return fmt.Errorf("the signed bundle does not open with its own key: %v", err)
	}
	tmp := f.bundle + ".tmp"
	if err := os.WriteFile(tmp, append(bundle, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, f.bundle)
}

// signingKey keeps an Ed25519 key's seed in locked memory. Signing needs
// the expanded key on the Go heap (crypto/ed25519 caches per key through
// weak pointers, which locked memory cannot carry); it lives only for the
// one signature and is wiped after.
type signingKey struct{ seed *secret.Buffer }

var errKeyFormat = errors.New("signing key must be a key from `uketsuke config keygen` or an Ed25519 private key in PKCS#8 PEM")

// readSigningKey reads the key `config keygen` writes (the base64 seed) or
// an Ed25519 PKCS#8 PEM file (`openssl genpkey -algorithm ed25519`).
func readSigningKey(path string) (*signingKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	defer clear(data)
	seed := make([]byte, base64.StdEncoding.DecodedLen(len(data)))
	defer clear(seed)
	if n, err := base64.StdEncoding.Decode(seed, bytes.TrimSpace(data)); err == nil && n == ed25519.SeedSize {
		b, err := secret.Take(seed[:n])
		if err != nil {
			return nil, err
		}
		return &signingKey{seed: b}, nil
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: %w", path, errKeyFormat)
	}
	defer clear(block.Bytes)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	priv, ok := k.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s: %w", path, errKeyFormat)
	}
	defer clear(priv)
	b, err := secret.Take(priv.Seed())
	if err != nil {
		return nil, err
	}
	return &signingKey{seed: b}, nil
}

// sign wraps doc in a signed bundle and returns the public key.
func (k *signingKey) sign(doc []byte, cl config.Claims) ([]byte, ed25519.PublicKey, error) {
	priv := ed25519.NewKeyFromSeed(k.seed.Bytes())
	defer clear(priv)
	pub := slices.Clone(priv.Public().(ed25519.PublicKey))
	bundle, err := config.SignBundle(doc, cl, priv)
	return bundle, pub, err
}

func (k *signingKey) Destroy() { k.seed.Destroy() }
