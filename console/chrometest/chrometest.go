// Package chrometest starts Debian's chromium headless for browser tests of
// the staff console: a browser that trusts the test server's CA and, when
// given one, presents an operator's client certificate for mutual TLS.
//
// Headless chromium shows no certificate picker, so it presents a client
// certificate only when the AutoSelectCertificateForUrls policy selects one,
// and on Linux it reads policies only from /etc/chromium/policies/managed.
// Start writes a policy file there (which needs root, as in CI) and puts the
// certificate in an NSS database under a temporary HOME, the only place
// chromium looks for client certificates on Linux. docs/browser-tests.md
// has the details. Only tests import this package.
package chrometest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// RequireEnv names the environment variable that turns a missing chromium or
// NSS tool from a skip into a failure (`make browser-selftest` sets it).
const RequireEnv = "UKETSUKE_REQUIRE_CHROMIUM"

// DefaultTimeout bounds one browser's whole life when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Minute

// Options says what the browser trusts and presents.
type Options struct {
	// ClientCert is the operator's certificate chain and private key that
	// the browser presents when a server asks for one. Nil: none.
	ClientCert *tls.Certificate
	// TrustedCAs are the CAs the browser accepts server certificates from
	// (the test server's CA). Nothing else is trusted beyond the system's.
	TrustedCAs []*x509.Certificate
	// ScreenshotDir is where Screenshot writes; empty means build/browser
	// at the root of the module.
	ScreenshotDir string
	// Timeout bounds the browser's whole life; zero means DefaultTimeout.
	// The browser is killed when it passes.
	Timeout time.Duration
	// WindowWidth and WindowHeight size the page; zero means 1280×800.
	WindowWidth, WindowHeight int
}

// ErrNotStarted is returned by Screenshot for a context Start did not make.
var ErrNotStarted = errors.New("chrometest: context does not come from Start")

// ErrScreenshotName is returned by Screenshot for a name that is not a plain
// file name of letters, digits, '.', '_' and '-'.
var ErrScreenshotName = errors.New("chrometest: screenshot name must be letters, digits, '.', '_' or '-'")

type screenshotDirKey struct{}

// Start starts a headless chromium for the test and returns its chromedp
// context; the browser, its temporary HOME and profile, and its policy file
// are removed when the test ends. Without chromium, certutil, pk12util or
// openssl the test is skipped, or fails when UKETSUKE_REQUIRE_CHROMIUM=1.
// When the policy that selects the certificate cannot be written (not root),
// the test fails and says why.
func Start(t testing.TB, opts Options) context.Context {
	t.Helper()
	chromium := requireTools(t)

	home, err := os.MkdirTemp("", "chrometest-home-")
	if err != nil {
		t.Fatalf("chrometest: temporary HOME: %v", err)
	}
	t.Cleanup(func() { removeWithRetry(t, home) })
	if err := os.Mkdir(filepath.Join(home, "tmp"), 0o700); err != nil {
		t.Fatalf("chrometest: %v", err)
	}
	if err := makeNSSDB(home, opts.TrustedCAs, opts.ClientCert); err != nil {
		t.Fatalf("chrometest: %v", err)
	}
	installPolicy(t)

	shots, err := screenshotDir(opts.ScreenshotDir)
	if err != nil {
		t.Fatalf("chrometest: %v", err)
	}
	ctx, output := launch(t, chromium, home, opts)
	began := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("chrometest: starting %s: %v\nbrowser output:\n%s", chromium, err, output.String())
	}
	started := time.Since(began).Round(time.Millisecond)
	version, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatalf("chrometest: asking %s for its version: %v", chromium, err)
	}
	t.Logf("chrometest: %s started in %v", version.Product, started)
	return context.WithValue(ctx, screenshotDirKey{}, shots)
}

// launch prepares the allocator and browser contexts; the browser itself
// starts on the first action. The cleanup closes the browser and waits
// until its process and profile are gone.
func launch(t testing.TB, chromium, home string, opts Options) (context.Context, *lockedBuffer) {
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	width, height := opts.WindowWidth, opts.WindowHeight
	if width == 0 || height == 0 {
		width, height = 1280, 800
	}
	output := &lockedBuffer{}
	flags := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		// The sandbox cannot start as root; anyone else keeps it.
		chromedp.Flag("no-sandbox", os.Geteuid() == 0),
		chromedp.WindowSize(width, height),
		// Everything the browser writes outside its profile (the NSS
		// database, caches, its shared-memory files) stays under home.
		chromedp.Env("HOME="+home,
			"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
			"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
			"TMPDIR="+filepath.Join(home, "tmp")),
		chromedp.CombinedOutput(output),
	)
	parent, stopTimer := context.WithTimeout(context.Background(), timeout)
	allocCtx, stopAllocator := chromedp.NewExecAllocator(parent, flags...)
	ctx, stopBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close gracefully when it can; the cancels below kill it otherwise.
		closing, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		_ = chromedp.Cancel(closing)
		stopBrowser()
		stopAllocator() // waits for the process and removes the profile
		stopTimer()
	})
	return ctx, output
}

// requireTools returns chromium's path, or skips (fails under RequireEnv)
// when it or an NSS or OpenSSL tool is missing.
func requireTools(t testing.TB) string {
	t.Helper()
	var missing []string
	found := map[string]string{}
	for _, tool := range []string{"chromium", "certutil", "pk12util", "openssl"} {
		path, err := exec.LookPath(tool)
		if err != nil {
			missing = append(missing, tool)
		}
		found[tool] = path
	}
	if len(missing) == 0 {
		return found["chromium"]
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("chrometest: a browser test is required (%s=1) but %v is missing: apt-get install chromium libnss3-tools openssl", RequireEnv, missing)
	}
	t.Skipf("chrometest: %v not installed: `apt-get install chromium libnss3-tools`, or `make browser-selftest`, runs this test", missing)
	return ""
}

var screenshotName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// Screenshot writes the whole page as name.png into the screenshot folder
// and returns the file's path. Screenshots are of test pages only.
func Screenshot(ctx context.Context, name string) (string, error) {
	dir, ok := ctx.Value(screenshotDirKey{}).(string)
	if !ok {
		return "", ErrNotStarted
	}
	if !screenshotName.MatchString(name) {
		return "", fmt.Errorf("%w: %q", ErrScreenshotName, name)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", fmt.Errorf("chrometest: screenshot %s: %w", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("chrometest: screenshot folder: %w", err)
	}
	path := filepath.Join(dir, strings.TrimSuffix(name, ".png")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("chrometest: screenshot %s: %w", name, err)
	}
	return path, nil
}

// screenshotDir is dir, or build/browser at the module's root (the first
// folder upwards from the working directory that holds go.mod).
func screenshotDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	here, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := here; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "build", "browser"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s: set Options.ScreenshotDir", here)
		}
	}
}

// removeWithRetry removes dir, trying again for a few seconds: chromium's
// helper processes can still write there just after the browser exits.
func removeWithRetry(t testing.TB, dir string) {
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if err = os.RemoveAll(dir); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Errorf("chrometest: removing %s: %v", dir, err)
	}
}

// lockedBuffer collects the browser's output, which chromedp writes from
// its own goroutine, for the message when the browser does not start.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
