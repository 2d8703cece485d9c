//go:build !kiosk

// The card test tools. The kiosk's package (build tag kiosk) leaves them
// out: an installed kiosk has no command that reads a card with a
// credential typed by hand.

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/hardware/jp2"
	"github.com/uketsuke/uketsuke/hardware/pcsc"
)

func init() {
	Register(Command{Name: "card read", Summary: "read and verify a card (test tool; prints no code and no photo; 照合番号B and PIN from standard input or --code-b-fd/--pin-fd)", Run: runCardRead})
	Register(Command{Name: "card bench", Summary: "time select + 照合番号B + read + verify through PC/SC (照合番号B from standard input or --code-b-fd)", Run: runCardBench})
}

// readReport is what `card read` prints: facts a tester needs, never a code,
// the 個人番号 or the photo itself.
type readReport struct {
	Reader         string      `json:"reader"`
	Kind           string      `json:"kind"`
	CodeBTriesLeft *int        `json:"code_b_tries_left,omitempty"`
	PINTriesLeft   *int        `json:"pin_tries_left,omitempty"`
	Birth          string      `json:"birth,omitempty"`
	Sex            string      `json:"sex,omitempty"`
	Expiry         string      `json:"expiry,omitempty"`
	Photo          *photoFacts `json:"photo,omitempty"`
	Signature      string      `json:"signature"`
	CardPresence   string      `json:"card_presence"`
	JPKI           *jpkiFacts  `json:"jpki,omitempty"`
	Error          string      `json:"error,omitempty"`
}

type photoFacts struct {
	Bytes  int    `json:"bytes"`
	Format string `json:"format"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type jpkiFacts struct {
	Subject   string `json:"subject"`
	Serial    string `json:"serial"`
	NotBefore string `json:"not_before"`
	NotAfter  string `json:"not_after"`
	Chain     string `json:"chain"`
	Signed    string `json:"signature_with_pin,omitempty"`
}

func runCardRead(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("card read", env)
	target := addCardFlags(fs)
	pinFD := fs.Int("pin-fd", -1, "read the 利用者証明用 PIN (4 digits, one line) from this file descriptor; 0 is standard input, after the 照合番号B (optional)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseCardFlags(fs, args); err != nil {
		return err
	}
	code, err := readCredential(env, *target.codeBFD, 14, "the 照合番号B")
	if err != nil {
		return err
	}
	var pinBuf *secret.Buffer
	if *pinFD >= 0 {
		if pinBuf, err = readCredential(env, *pinFD, 4, "the PIN"); err != nil {
			code.Destroy()
			return err
		}
		defer pinBuf.Destroy()
	}
	cs, err := target.open(code)
	if err != nil {
		return err
	}
	defer cs.Close()
	rep := readCard(ctx, mynacard.Open(cs.conn), cs.code, pinBuf, cs.anchors)
	rep.Reader = *target.reader
	return printReport(env, rep, *asJSON)
}

// cardFlags are the flags `card read` and `card bench` share.
type cardFlags struct {
	reader, trust, allow *string
	codeBFD              *int
}

func addCardFlags(fs *flag.FlagSet) *cardFlags {
	return &cardFlags{
		reader:  fs.String("reader", "Virtual PCD 00 00", "reader name"),
		codeBFD: fs.Int("code-b-fd", 0, "read the 照合番号B (14 digits, one line) from this file descriptor; 0 is standard input"),
		trust:   fs.String("trust", "test", "trust anchors: a JSON file, or 'test' for the test hierarchy"),
		allow:   allowFlag(fs),
	}
}

// parseCardFlags refuses a credential on the command line before parsing:
// every user can read a process's arguments (/proc/PID/cmdline).
func parseCardFlags(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "pin" || name == "code-b") {
			return fmt.Errorf("%w: --%s on the command line is refused (other users can read it); nothing was sent to the card; use --%s-fd", ErrUsage, name, name)
		}
		if a == "--" {
			break
		}
	}
	return parseFlags(fs, args)
}

// readCredential reads one line of exactly n digits from file descriptor fd
// (0: the command's standard input) straight into locked memory, a byte at
// a time so nothing past the line is consumed.
func readCredential(env *Env, fd, n int, what string) (*secret.Buffer, error) {
	var r io.Reader = env.stdin()
	if fd != 0 {
		f := os.NewFile(uintptr(fd), "credential")
		if f == nil {
			return nil, fmt.Errorf("%w: no file descriptor %d for %s", ErrUsage, fd, what)
		}
		defer f.Close()
		r = f
	}
	buf, err := secret.New(n + 1)
	if err != nil {
		return nil, err
	}
	defer buf.Destroy()
	b, got := buf.Bytes(), 0
	var one [1]byte
	for {
		k, err := r.Read(one[:])
		if k == 1 {
			if one[0] == '\n' {
				break
			}
			if one[0] == '\r' {
				continue
			}
			if got == len(b) || one[0] < '0' || one[0] > '9' {
				one[0] = 0
				return nil, fmt.Errorf("%w: %s must be %d digits on one line; nothing was sent to the card", ErrUsage, what, n)
			}
			b[got], one[0] = one[0], 0
			got++
			continue
		}
		if err != nil {
			break
		}
	}
	if got != n {
		return nil, fmt.Errorf("%w: %s must be %d digits on one line; nothing was sent to the card", ErrUsage, what, n)
	}
	out, err := secret.New(n)
	if err != nil {
		return nil, err
	}
	copy(out.Bytes(), b[:n])
	return out, nil
}

// cardSession is a connected card with the credential and anchors to read it.
type cardSession struct {
	code    *secret.Buffer
	anchors *mynacard.TrustAnchors
	conn    *pcsc.Conn
}

// open connects to the card for code, read and checked before; the session
// owns code from here on.
func (f *cardFlags) open(code *secret.Buffer) (*cardSession, error) {
	anchors, err := loadTrust(*f.trust)
	if err == nil {
		var conn *pcsc.Conn
		if conn, err = pcsc.Dial(parseAllow(*f.allow), *f.reader); err == nil {
			return &cardSession{code: code, anchors: anchors, conn: conn}, nil
		}
	}
	code.Destroy()
	return nil, err
}

func (s *cardSession) Close() {
	s.code.Destroy()
	s.conn.Close()
}

func readCard(ctx context.Context, c *mynacard.Card, code, pin *secret.Buffer, anchors *mynacard.TrustAnchors) *readReport {
	rep := &readReport{Signature: "not_checked", CardPresence: "not_checked"}
	kind, err := c.Detect(ctx)
	rep.Kind = kind.String()
	if err != nil {
		rep.Error = err.Error()
		return rep
	}
	rep.PINTriesLeft = triesOrNil(c.AuthPINTriesLeft(ctx))
	if err := c.VerifyCodeB(ctx, code); err != nil {
		rep.CodeBTriesLeft = triesOrNil(c.CodeBTriesLeft(ctx))
		rep.Error = err.Error()
		return rep
	}
	rep.CodeBTriesLeft = triesOrNil(c.CodeBTriesLeft(ctx))
	readFace(ctx, c, anchors, rep)
	readJPKI(ctx, c, pin, anchors, rep)
	return rep
}

func triesOrNil(n int, err error) *int {
	if err != nil {
		return nil
	}
	return &n
}

func readFace(ctx context.Context, c *mynacard.Card, anchors *mynacard.TrustAnchors, rep *readReport) {
	rec, err := c.ReadVerifiedFaceRecord(ctx, anchors)
	if err != nil {
		rep.Signature = "invalid"
		if !errors.Is(err, mynacard.ErrVerification) && !errors.Is(err, mynacard.ErrUntrustedIssuer) {
			rep.Signature = "unread"
		}
		rep.Error = err.Error()
		return
	}
	defer rec.Destroy()
	rep.Signature, rep.CardPresence = "valid", "proven"
	birth, _ := rec.BirthDate()
	expiry, _ := rec.ExpiryDate()
	rep.Birth, rep.Expiry, rep.Sex = birth.Format(time.DateOnly), expiry.Format(time.DateOnly), string(rec.Sex)
	rep.Photo = &photoFacts{Bytes: len(rec.Photo), Format: jp2.Detect(rec.Photo).String()}
	if w, h, _, err := jp2.DecodeConfig(rec.Photo); err == nil {
		rep.Photo.Width, rep.Photo.Height = w, h
	}
}

func readJPKI(ctx context.Context, c *mynacard.Card, pin *secret.Buffer, anchors *mynacard.TrustAnchors, rep *readReport) {
	cert, err := c.AuthCertificate(ctx)
	if err != nil {
		return // a card issued without a PIN has no 利用者証明用 certificate
	}
	j := &jpkiFacts{Subject: cert.Subject.String(), Serial: cert.SerialNumber.Text(16),
		NotBefore: cert.NotBefore.Format(time.DateOnly), NotAfter: cert.NotAfter.Format(time.DateOnly), Chain: "valid"}
	if err := mynacard.VerifyAuthChain(cert, anchors, time.Now()); err != nil {
		j.Chain = err.Error()
	}
	rep.JPKI = j
	if pin == nil {
		return
	}
	if err := c.VerifyAuthPIN(ctx, pin); err != nil {
		j.Signed = err.Error()
		rep.PINTriesLeft = triesOrNil(c.AuthPINTriesLeft(ctx))
		return
	}
	rep.PINTriesLeft = triesOrNil(c.AuthPINTriesLeft(ctx))
	if _, err := c.SignWithAuthKey(ctx, [32]byte{}); err != nil {
		j.Signed = err.Error()
		return
	}
	j.Signed = "ok"
}

func printReport(env *Env, rep *readReport, asJSON bool) error {
	var err error
	if asJSON {
		err = json.NewEncoder(env.Stdout).Encode(rep)
	} else {
		b, _ := json.MarshalIndent(rep, "", "  ")
		_, err = fmt.Fprintln(env.Stdout, string(b))
	}
	if err == nil && rep.Error != "" {
		err = errors.New(rep.Error)
	}
	return err
}

func runCardBench(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("card bench", env)
	target := addCardFlags(fs)
	n := fs.Int("n", 20, "rounds")
	if err := parseCardFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("%w: -n must be at least 1", ErrUsage)
	}
	code, err := readCredential(env, *target.codeBFD, 14, "the 照合番号B")
	if err != nil {
		return err
	}
	cs, err := target.open(code)
	if err != nil {
		return err
	}
	defer cs.Close()
	counter := &countingTransport{t: cs.conn}
	times := make([]time.Duration, 0, *n)
	for i := 0; i < *n; i++ {
		counter.apdus, counter.bytes = 0, 0
		start := time.Now()
		if err := faceReadRound(ctx, mynacard.Open(counter), cs.code, cs.anchors); err != nil {
			return fmt.Errorf("round %d: %w", i+1, err)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	fmt.Fprintf(env.Stdout, "card bench: %d rounds of select + 照合番号B + read face record + verify signature + card presence\n", *n)
	fmt.Fprintf(env.Stdout, "  median %.1f ms  p95 %.1f ms  min %.1f ms  max %.1f ms  (%d APDUs, %d bytes a round)\n",
		ms(percentile(times, 0.5)), ms(percentile(times, 0.95)), ms(times[0]), ms(times[len(times)-1]), counter.apdus, counter.bytes)
	return nil
}

func faceReadRound(ctx context.Context, c *mynacard.Card, code *secret.Buffer, anchors *mynacard.TrustAnchors) error {
	if err := c.VerifyCodeB(ctx, code); err != nil {
		return err
	}
	rec, err := c.ReadVerifiedFaceRecord(ctx, anchors)
	rec.Destroy()
	return err
}

type countingTransport struct {
	t            apdu.Transport
	apdus, bytes int
}

func (c *countingTransport) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	resp, err := c.t.Transmit(ctx, cmd)
	c.apdus++
	c.bytes += len(cmd) + len(resp)
	return resp, err
}
