package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/sim/onshi"
)

func TestVisitsServeFlags(t *testing.T) {
	env := &Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	for _, args := range [][]string{
		{"visits", "serve"},
		{"visits", "serve", "--db", "x.db", "--cert", "c.pem"},
		{"visits", "serve", "--db", "x.db", "--cert", "c.pem", "--key", "k.pem", "--addr", "0.0.0.0:8444"},
		{"visits", "serve", "extra"},
	} {
		if err := Run(context.Background(), env, args); !errors.Is(err, ErrUsage) {
			t.Errorf("%q: %v, want ErrUsage", args, err)
		}
	}
}

func TestVisitsServeServesThePage(t *testing.T) {
	dir := t.TempDir()
	pki, err := onshi.NewTLSPKI("visits-cli")
	if err != nil {
		t.Fatal(err)
	}
	if err := pki.WriteFiles(dir, "kiosk-01", "1312345678"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: outW, Stderr: &bytes.Buffer{}}, []string{"visits", "serve",
			"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "visits.db"),
			"--cert", filepath.Join(dir, onshi.FileServer), "--key", filepath.Join(dir, onshi.FileServerKey),
			"--client-ca", filepath.Join(dir, onshi.FileCA)})
		outW.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no serving line: %v (%v)", err, <-done)
	}
	_, rest, _ := strings.Cut(line, "serving ")
	url, _, _ := strings.Cut(rest, " ")
	go io.Copy(io.Discard, out)

	kiosk, _ := pki.KioskCert("kiosk-01", "1312345678")
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: pki.KioskConfig(kiosk)}, Timeout: 10 * time.Second}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "0 record(s)") {
		t.Fatalf("page: HTTP %d\n%s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve ended with %v", err)
	}
}
