package wire

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/config"
)

// The certificates docs/operations.md tells an administrator to make with
// packaging/console/console-certs.sh (openssl) work as documented: the dry
// run accepts them, the console serves the operator whose fingerprint the
// script printed, and a missing file is named.
func TestTheConsoleTakesCertificatesMadeAsDocumented(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		if os.Getenv("UKETSUKE_REQUIRE_OPENSSL") != "" {
			t.Fatal("openssl is missing (Debian package openssl)")
		}
		t.Skip("openssl is missing: install Debian's openssl (make apt) to run this test")
	}
	dir := t.TempDir()
	script := filepath.Join("..", "packaging", "console", "console-certs.sh")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(script, args...)
		cmd.Env = append(os.Environ(), "P12_PASS_FD=3")
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		w.WriteString("test-only\n")
		w.Close()
		cmd.ExtraFiles = []*os.File{r}
		out, err := cmd.CombinedOutput()
		r.Close()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", script, args, err, out)
		}
		return string(out)
	}
	run("ca", dir)
	run("server", dir, "127.0.0.1", "localhost")
	out := run("operator", dir, "admin.a")
	fp := regexp.MustCompile(`console_fingerprint for admin\.a: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if fp == nil {
		t.Fatalf("no fingerprint in %q", out)
	}
	console := config.Console{Address: "127.0.0.1:0", CertFile: filepath.Join(dir, "console.pem"),
		KeyFile: filepath.Join(dir, "console-key.pem"), ClientCAFile: filepath.Join(dir, "ca.pem")}
	cfg := SimulatedConfig(Simulated{Dir: t.TempDir(), Fast: true, Console: console,
		Operators: []config.Operator{{ID: "admin.a", Name: "管理", Role: "administrator",
			Fingerprint: strings.Repeat("ef", 32), ConsoleFingerprint: fp[1]}}})
	if _, err := PlanOf(cfg, false); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	missing := *cfg
	parts := *cfg.Parts
	parts.Console.KeyFile = filepath.Join(dir, "none.pem")
	missing.Parts = &parts
	var ve *config.ValidationError
	if _, err := PlanOf(&missing, false); !errors.As(err, &ve) || ve.Field != "parts.console.cert_file" {
		t.Errorf("dry run without the key: %v", err)
	}

	w, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	k, ctx, stop := runKiosk(t, w)
	defer stop()
	go w.Run(ctx, k)

	client, err := tls.LoadX509KeyPair(filepath.Join(dir, "admin.a.pem"), filepath.Join(dir, "admin.a-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	server, err := os.ReadFile(console.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(server)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{client}}}}
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err = hc.Get("https://" + w.ConsoleAddr() + "/api/whoami"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS.Version != tls.VersionTLS13 {
		t.Errorf("whoami: %d, TLS %x", resp.StatusCode, resp.TLS.Version)
	}
}
