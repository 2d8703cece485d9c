package cli

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/sim/jlis"
	"github.com/uketsuke/uketsuke/sim/onshi"
	"github.com/uketsuke/uketsuke/sim/onshi/pinless"
)

// Defaults shared by the onshi commands, so seed, serve and bench agree.
const (
	onshiPKISeed  = "uketsuke-onshi"
	onshiPopSeed  = 42
	onshiInstSeed = "uketsuke"
)

func init() {
	Register(Command{Name: "onshi init", Summary: "write the eligibility stand-in's test TLS certificates", Run: onshiInit})
	Register(Command{Name: "onshi seed", Summary: "fill an eligibility database with synthetic insured people", Run: onshiSeed})
	Register(Command{Name: "onshi serve", Summary: "run the eligibility stand-in (HTTPS, loopback by default)", Run: onshiServe})
	Register(Command{Name: "onshi revoke", Summary: "add a JPKI certificate to the stand-in's revocation list", Run: onshiRevoke})
	Register(Command{Name: "onshi bench", Summary: "load-test the eligibility stand-in on loopback", Run: onshiBench})
}

func onshiFlags(fs *flag.FlagSet, env *Env, args []string) error {
	fs.SetOutput(env.Stderr)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", ErrUsage, fs.Args())
	}
	return nil
}

func onshiInit(_ context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("onshi init", flag.ContinueOnError)
	dir := fs.String("dir", "", "folder for the certificates (required)")
	seed := fs.String("seed", onshiPKISeed, "seed the keys are derived from")
	kiosk := fs.String("kiosk", "kiosk-01", "the kiosk certificate's id (CN)")
	inst := fs.String("institution", "1312345678", "the kiosk's 医療機関コード (OU)")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("%w: --dir is required", ErrUsage)
	}
	pki, err := onshi.NewTLSPKI(*seed)
	if err != nil {
		return err
	}
	if err := pki.WriteFiles(*dir, *kiosk, *inst); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "onshi: test certificates in %s (CA, server for 127.0.0.1/localhost, kiosk %s of %s)\n", *dir, *kiosk, *inst)
	return nil
}

func onshiSeed(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("onshi seed", flag.ContinueOnError)
	db := fs.String("db", "", "database file (required)")
	n := fs.Int("n", 100000, "number of synthetic people")
	seed := fs.Uint64("seed", onshiPopSeed, "population seed")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	if *db == "" || *n < 1 || *n > 10_000_000 {
		return fmt.Errorf("%w: --db is required and --n must be 1-10000000", ErrUsage)
	}
	store, err := onshi.OpenStore(*db)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	if err := store.Seed(ctx, onshi.Population{Seed: *seed, N: *n}); err != nil {
		return err
	}
	people, _ := store.CountRows(ctx, "person")
	quals, _ := store.CountRows(ctx, "qualification")
	fmt.Fprintf(env.Stdout, "onshi: %s holds %d people, %d qualifications (seeded in %v)\n",
		*db, people, quals, time.Since(start).Round(time.Millisecond))
	return nil
}

type onshiList []string

func (l *onshiList) String() string     { return strings.Join(*l, ",") }
func (l *onshiList) Set(v string) error { *l = append(*l, v); return nil }

// onshiCheckListen refuses an address beyond loopback unless allowed.
func onshiCheckListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --listen %q: %v", ErrUsage, addr, err)
	}
	if allowRemote || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: --listen %q is not loopback (add --allow-remote to mean it)", ErrUsage, addr)
}

func onshiServe(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("onshi serve", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8443", "address to listen on")
	db := fs.String("db", "", "database file (required; seed it with `onshi seed`)")
	certs := fs.String("certs", "", "TLS certificate folder (default: DB.certs, created if missing)")
	jlisSeed := fs.Int64("jlis-seed", jlis.DefaultSeed, "test J-LIS hierarchy whose JPKI CA is trusted (0: none)")
	instSeed := fs.String("institution-seed", onshiInstSeed, "simulated 特定機関 hierarchy for PIN-less authentication")
	allowRemote := fs.Bool("allow-remote", false, "allow listening beyond loopback")
	var caFiles onshiList
	fs.Var(&caFiles, "jpki-ca", "another trusted JPKI user-authentication CA certificate (PEM or DER; repeatable)")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("%w: --db is required", ErrUsage)
	}
	if err := onshiCheckListen(*listen, *allowRemote); err != nil {
		return err
	}
	if *certs == "" {
		*certs = *db + ".certs"
	}
	pki, err := onshiPKI(*certs)
	if err != nil {
		return err
	}
	roots, err := onshiJPKIRoots(*jlisSeed, caFiles)
	if err != nil {
		return err
	}
	inst, err := pinless.NewHierarchy(*instSeed)
	if err != nil {
		return err
	}
	store, err := onshi.OpenStore(*db)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	// Only failures are logged, and they carry no personal data.
	logger := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := onshi.NewServer(onshi.Config{Store: store, JPKIRoots: roots, Institution: pinless.Simulated{H: inst}, Log: logger})
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(env.Stdout, "onshi: serving https://%s (kiosk certificates in %s, %d JPKI CA(s))\n", ln.Addr(), *certs, len(roots))
	return srv.Serve(ctx, ln, pki.ServerConfig())
}

func onshiPKI(dir string) (*onshi.TLSPKI, error) {
	if _, err := os.Stat(filepath.Join(dir, onshi.FileCA)); errors.Is(err, os.ErrNotExist) {
		pki, err := onshi.NewTLSPKI(onshiPKISeed)
		if err != nil {
			return nil, err
		}
		return pki, pki.WriteFiles(dir, "kiosk-01", "1312345678")
	}
	return onshi.LoadTLSPKI(dir)
}

func onshiJPKIRoots(jlisSeed int64, files []string) ([]*x509.Certificate, error) {
	var roots []*x509.Certificate
	if jlisSeed != 0 {
		roots = append(roots, jlis.New(jlisSeed).JPKIAuthCA)
	}
	for _, f := range files {
		c, err := onshiReadCert(f)
		if err != nil {
			return nil, err
		}
		roots = append(roots, c)
	}
	return roots, nil
}

// onshiReadCert reads one X.509 certificate, PEM or DER.
func onshiReadCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if b, _ := pem.Decode(data); b != nil {
		data = b.Bytes
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func onshiRevoke(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("onshi revoke", flag.ContinueOnError)
	db := fs.String("db", "", "database file (required)")
	cert := fs.String("cert", "", "a certificate to revoke, PEM or DER")
	crl := fs.String("crl", "", "an X.509 revocation list (PEM or DER) signed by a trusted JPKI CA: revoke all it lists")
	jlisSeed := fs.Int64("jlis-seed", jlis.DefaultSeed, "test J-LIS hierarchy whose JPKI CA is trusted (0: none)")
	var caFiles onshiList
	fs.Var(&caFiles, "jpki-ca", "another trusted JPKI user-authentication CA certificate (repeatable)")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	if *db == "" || (*cert == "") == (*crl == "") {
		return fmt.Errorf("%w: --db and one of --cert or --crl are required", ErrUsage)
	}
	store, err := onshi.OpenStore(*db)
	if err != nil {
		return err
	}
	defer store.Close()
	if *crl != "" {
		roots, err := onshiJPKIRoots(*jlisSeed, caFiles)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(*crl)
		if err != nil {
			return err
		}
		n, err := onshi.NewServer(onshi.Config{Store: store, JPKIRoots: roots}).ImportCRL(ctx, data)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "onshi: revoked %d serial(s) from %s\n", n, *crl)
		return nil
	}
	c, err := onshiReadCert(*cert)
	if err != nil {
		return err
	}
	if err := store.RevokeCertificate(ctx, c, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "onshi: revoked serial %s\n", c.SerialNumber.Text(16))
	return nil
}

func onshiBench(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("onshi bench", flag.ContinueOnError)
	kiosks := fs.Int("kiosks", 50, "concurrent kiosks, each with its own kept-alive TLS connection")
	duration := fs.Duration("duration", 30*time.Second, "how long to run")
	rate := fs.Float64("rate", 0, "offered checks/s in total, paced (latency from when each check was due); 0: flat out")
	mode := fs.String("mode", onshi.BenchInsurance, "what a check is: insurance, pin (challenge + card signature + check), pinless (relayed 特定機関認証 + check), mixed")
	cards := fs.Int("cards", 16, "virtual cards for the PIN path")
	url := fs.String("url", "", "a running service (loopback only); empty: start one in this process")
	certs := fs.String("certs", "", "the running service's certificate folder (with --url)")
	db := fs.String("db", "", "database for the in-process service (default: a temporary one)")
	n := fs.Int("n", 100000, "people in the in-process service's database (or in --url's)")
	jlisSeed := fs.Int64("jlis-seed", jlis.DefaultSeed, "test J-LIS hierarchy the service trusts")
	instSeed := fs.String("institution-seed", onshiInstSeed, "the service's simulated 特定機関 hierarchy")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	inst, err := pinless.NewHierarchy(*instSeed)
	if err != nil {
		return err
	}
	switch *mode {
	case onshi.BenchInsurance, onshi.BenchPIN, onshi.BenchPinless, onshi.BenchMixed:
	default:
		return fmt.Errorf("%w: --mode %q", ErrUsage, *mode)
	}
	h := jlis.New(*jlisSeed)
	cfg := onshi.BenchConfig{Kiosks: *kiosks, Duration: *duration, Mode: *mode, Cards: *cards, Rate: *rate,
		CardCA: h.JPKIAuthCA, CardKey: h.JPKIAuthCAKey, InstitutionCA: &inst.CAKey.PublicKey,
		Pop: onshi.Population{Seed: onshiPopSeed, N: *n}}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *url != "" {
		if *certs == "" {
			return fmt.Errorf("%w: --url needs --certs", ErrUsage)
		}
		pki, err := onshi.LoadTLSPKI(*certs)
		if err != nil {
			return err
		}
		cfg.URL, cfg.PKI = *url, pki
		return onshiRunBench(ctx, env, cfg)
	}
	return onshiBenchLocal(ctx, env, cfg, *db, *jlisSeed, *instSeed)
}

// onshiBenchLocal seeds a database, starts `uketsuke onshi serve` on it as
// a separate process on an ephemeral loopback port, and benches it, so the
// report can tell the service's CPU from the kiosks'.
func onshiBenchLocal(ctx context.Context, env *Env, cfg onshi.BenchConfig, db string, jlisSeed int64, instSeed string) error {
	if db == "" {
		dir, err := os.MkdirTemp("", "onshi-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db = filepath.Join(dir, "onshi.db")
	}
	if err := onshiSeedQuietly(ctx, env, db, cfg.Pop); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, "onshi", "serve", "--listen", "127.0.0.1:0", "--db", db,
		"--jlis-seed", strconv.FormatInt(jlisSeed, 10), "--institution-seed", instSeed)
	cmd.Stderr = env.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	url, err := onshiServingURL(out)
	if err != nil {
		return err
	}
	pki, err := onshi.LoadTLSPKI(db + ".certs")
	if err != nil {
		return err
	}
	cfg.URL, cfg.PKI, cfg.ServerPID = url, pki, cmd.Process.Pid
	return onshiRunBench(ctx, env, cfg)
}

func onshiSeedQuietly(ctx context.Context, env *Env, db string, pop onshi.Population) error {
	store, err := onshi.OpenStore(db)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	if err := store.Seed(ctx, pop); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "onshi bench: %d people ready in %v\n", pop.N, time.Since(start).Round(time.Millisecond))
	return nil
}

// onshiServingURL reads the service's "serving https://…" line.
func onshiServingURL(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "serving "); ok {
			url, _, _ := strings.Cut(rest, " ")
			go io.Copy(io.Discard, r) // keep the pipe drained
			return url, nil
		}
	}
	return "", errors.New("onshi bench: the service did not start")
}

func onshiRunBench(ctx context.Context, env *Env, cfg onshi.BenchConfig) error {
	pace := "flat out"
	if cfg.Rate > 0 {
		pace = fmt.Sprintf("paced at %.0f checks/s", cfg.Rate)
	}
	fmt.Fprintf(env.Stdout, "onshi bench: %d kiosks, %v, mode %s, %s, against %s\n", cfg.Kiosks, cfg.Duration, cfg.Mode, pace, cfg.URL)
	r, err := onshi.Bench(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "onshi bench:", r)
	if r.Errors > 0 {
		return fmt.Errorf("onshi bench: %d errors", r.Errors)
	}
	return nil
}
