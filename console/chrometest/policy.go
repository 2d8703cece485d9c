package chrometest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// PolicyDir is the only place chromium on Linux reads mandatory policies
// from; it is owned by root.
const PolicyDir = "/etc/chromium/policies/managed"

// policyPrefix starts the name of every policy file this package writes, so
// files left by a killed test can be found and removed.
const policyPrefix = "uketsuke-chrometest-"

// autoSelectPatterns are the origins on which chromium presents a client
// certificate without asking: test servers on the loopback address, any
// port. The filter is empty because each test browser's NSS database holds
// at most the one certificate its test gave it.
//
// Every policy file this package writes has exactly this content. Chromium
// does not merge a list policy across files (the last file by name wins), so
// files scoped to one test's port or issuer would undo each other when two
// test binaries run at once; identical files cannot.
var autoSelectPatterns = []string{"https://127.0.0.1:*", "https://localhost:*", "https://[::1]:*"}

// policyJSON is the policy file's content.
func policyJSON() []byte {
	var rules []string
	for _, pattern := range autoSelectPatterns {
		rule, _ := json.Marshal(map[string]any{"pattern": pattern, "filter": map[string]any{}})
		rules = append(rules, string(rule))
	}
	out, _ := json.MarshalIndent(map[string]any{"AutoSelectCertificateForUrls": rules}, "", "  ")
	return out
}

// installPolicy writes this test's policy file and removes it when the test
// ends. Without it chromium presents no certificate, and a server that asks
// for one leaves the page waiting for a picker that headless never shows,
// even in a browser that has no certificate to offer: so without the policy
// the test fails and says why.
func installPolicy(t testing.TB) {
	t.Helper()
	removeStalePolicies()
	path, err := writePolicy()
	if err != nil {
		t.Fatalf("chrometest: headless chromium presents a client certificate only when the "+
			"AutoSelectCertificateForUrls policy selects it, and on Linux it reads policies only from %s; "+
			"writing the policy there failed (%v). Run the browser tests as root (CI does), or make %s writable "+
			"for this user (docs/browser-tests.md)", PolicyDir, err, PolicyDir)
	}
	t.Cleanup(func() {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("chrometest: removing the policy %s: %v", path, err)
		}
	})
}

// writePolicy writes a uniquely named policy file (the process id keeps it
// findable if the test is killed) and returns its path.
func writePolicy() (string, error) {
	if err := os.MkdirAll(PolicyDir, 0o755); err != nil {
		return "", err
	}
	var random [6]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", err
	}
	name := fmt.Sprintf("%s%d-%s.json", policyPrefix, os.Getpid(), hex.EncodeToString(random[:]))
	path := filepath.Join(PolicyDir, name)
	// World-readable: the browser need not run as the user who wrote it.
	if err := os.WriteFile(path, policyJSON(), 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// removeStalePolicies removes policy files whose test process is gone, so a
// killed test does not leave the rule behind for the next browser session.
func removeStalePolicies() {
	matches, _ := filepath.Glob(filepath.Join(PolicyDir, policyPrefix+"*.json"))
	for _, path := range matches {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(path), policyPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || processAlive(pid) {
			continue
		}
		_ = os.Remove(path) // another test may be removing it at the same time
	}
}

// processAlive reports whether a process with this id exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
