package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// Default time limits: one exchange with a printer that works takes
// milliseconds; printing and cutting a ticket takes about a second.
const (
	DefaultTimeout        = 3 * time.Second
	DefaultConfirmTimeout = 10 * time.Second
)

// ErrBadAddress means the configured address or device path is not usable.
var ErrBadAddress = errors.New("printer: bad address")

// Conn is an open link to a printer. net.Conn and *os.File are ones.
type Conn interface {
	io.ReadWriteCloser
	SetDeadline(time.Time) error
}

// Printer is an ESC/POS printer behind one link. It implements
// revisit.Printer; each call opens the link and closes it again, so a
// printer switched off and on between tickets needs nothing from the kiosk.
type Printer struct {
	name string // for errors: the address or path, no personal data
	open func(ctx context.Context) (Conn, error)
	// Timeout bounds each status exchange and each write;
	// ConfirmTimeout the wait for the printer to finish a ticket.
	Timeout, ConfirmTimeout time.Duration
}

var _ revisit.Printer = (*Printer)(nil)

// Network is a printer on raw TCP (usually port 9100), addr as host:port.
func Network(addr string) (*Printer, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("%w: %q is not host:port", ErrBadAddress, addr)
	}
	var d net.Dialer
	return newPrinter("tcp "+addr, func(ctx context.Context) (Conn, error) {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return c.(Conn), nil
	}), nil
}

// Device is a printer behind a USB printer class device (/dev/usb/lpN),
// which carries the printer's status answers back as reads.
func Device(path string) (*Printer, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("%w: device %q is not an absolute path", ErrBadAddress, path)
	}
	return newPrinter("device "+path, func(context.Context) (Conn, error) {
		f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
		if err != nil {
			return nil, err
		}
		// Without the poller a read of a silent printer would block forever.
		if err := f.SetDeadline(time.Time{}); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s cannot time out: %w", path, err)
		}
		return f, nil
	}), nil
}

func newPrinter(name string, open func(context.Context) (Conn, error)) *Printer {
	return &Printer{name: name, open: open, Timeout: DefaultTimeout, ConfirmTimeout: DefaultConfirmTimeout}
}

func (p *Printer) String() string { return "printer " + p.name }

// Status asks the printer for its state.
func (p *Printer) Status(ctx context.Context) (revisit.PrinterStatus, error) {
	l, err := p.connect(ctx)
	if err != nil {
		return revisit.PrinterStatus{}, err
	}
	defer l.close()
	return l.status()
}

// Print prints the ticket and returns nil only once the printer answered
// that it got past the cut. Any fault before or during printing returns an
// error matching revisit.ErrPaperOut, ErrCoverOpen or ErrOffline (or
// revisit.ErrBadTicket for a ticket that cannot be printed): the ticket's
// number was not issued.
func (p *Printer) Print(ctx context.Context, t revisit.Ticket) error {
	job, err := TicketBytes(t)
	if err != nil {
		return err
	}
	l, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	if err := l.ready(); err != nil {
		return err
	}
	if err := l.write(job, p.Timeout); err != nil {
		l.discard()
		return err
	}
	if err := l.confirm(); err != nil {
		l.discard()
		return err
	}
	return nil
}

// link is one open connection with its time limits.
type link struct {
	p    *Printer
	ctx  context.Context
	c    Conn
	stop func() bool // releases the context watch

	mu       sync.Mutex
	detached bool // the context no longer cuts exchanges short
}

func (p *Printer) connect(ctx context.Context) (*link, error) {
	dialCtx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	c, err := p.open(dialCtx)
	if err != nil {
		return nil, p.offline(err)
	}
	l := &link{p: p, ctx: ctx, c: c}
	// A cancelled context ends any exchange under way.
	l.stop = context.AfterFunc(ctx, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if !l.detached {
			c.SetDeadline(time.Unix(1, 0))
		}
	})
	return l, nil
}

func (l *link) close() {
	l.stop()
	l.c.Close()
}

// offline wraps a transport failure: a printer that cannot be reached or
// does not answer is offline for the kiosk.
func (p *Printer) offline(err error) error {
	return fmt.Errorf("%w: %s: %w", revisit.ErrOffline, p.name, err)
}

// ready checks the printer can print before anything is sent.
func (l *link) ready() error {
	st, err := l.status()
	if err != nil {
		return err
	}
	if err := st.Err(); err != nil {
		return fmt.Errorf("%s: not printed: %w", l.p.name, err)
	}
	return nil
}

// discard clears what the printer holds of a failed ticket, even when the
// caller's context has ended: a ticket left in the buffer would come out
// once staff fix the fault. It is best effort (a printer that cannot hear
// it cannot print either until someone attends to it); the printer's
// reply, if any, is not read.
func (l *link) discard() {
	l.mu.Lock()
	l.detached = true
	l.mu.Unlock()
	if l.c.SetDeadline(time.Now().Add(l.p.Timeout)) == nil {
		_, _ = l.c.Write(ClearBuffers)
	}
}

// status sends DLE EOT 1 to 4 and decodes the answers.
func (l *link) status() (revisit.PrinterStatus, error) {
	var answers [4]byte
	for i := range answers {
		n := byte(i + 1)
		b, err := l.exchange([]byte{DLE, EOT, n}, l.p.Timeout)
		if err != nil {
			return revisit.PrinterStatus{}, err
		}
		if err := checkStatusByte(n, b); err != nil {
			return revisit.PrinterStatus{}, err
		}
		answers[i] = b
	}
	return decodeStatus(answers[0], answers[1], answers[2], answers[3]), nil
}

// confirm waits for the answer to GS r 1, which the printer gives only
// after printing what came before it. No answer in time means a fault
// stopped it: the real-time status then says which.
func (l *link) confirm() error {
	b, err := l.exchange([]byte{GS, TransmitStatus, TransmitPaper}, l.p.ConfirmTimeout)
	if err != nil {
		if st, serr := l.status(); serr == nil && st.Err() != nil {
			return fmt.Errorf("%s: stopped while printing: %w", l.p.name, st.Err())
		}
		return fmt.Errorf("%s: ticket not confirmed: %w", l.p.name, err)
	}
	paper, err := decodePaper(b)
	if err != nil {
		return err
	}
	if paper.PaperOut {
		return fmt.Errorf("%s: paper ended during the ticket: %w", l.p.name, revisit.ErrPaperOut)
	}
	return nil
}

// exchange writes a request and reads its one-byte answer.
func (l *link) exchange(req []byte, wait time.Duration) (byte, error) {
	if err := l.write(req, l.p.Timeout); err != nil {
		return 0, err
	}
	if err := l.deadline(wait); err != nil {
		return 0, err
	}
	var b [1]byte
	if _, err := io.ReadFull(l.c, b[:]); err != nil {
		return 0, l.p.offline(err)
	}
	return b[0], nil
}

func (l *link) write(data []byte, wait time.Duration) error {
	if err := l.deadline(wait); err != nil {
		return err
	}
	if _, err := l.c.Write(data); err != nil {
		return l.p.offline(err)
	}
	return nil
}

// deadline bounds the next exchange by wait and by the context.
func (l *link) deadline(wait time.Duration) error {
	d := time.Now().Add(wait)
	if cd, ok := l.ctx.Deadline(); ok && cd.Before(d) {
		d = cd
	}
	if err := l.c.SetDeadline(d); err != nil {
		return l.p.offline(err)
	}
	// A cancel between the watch's deadline and this one must still count.
	if err := l.ctx.Err(); err != nil {
		l.c.SetDeadline(time.Unix(1, 0))
		return l.p.offline(err)
	}
	return nil
}
