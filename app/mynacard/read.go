package mynacard

import (
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/tlv"
)

// MaxRecordSize bounds any file the kiosk reads (READ BINARY offsets are
// 15-bit), so a hostile card cannot make us allocate without limit.
const MaxRecordSize = 0x7FFF

// readChunk is the largest short READ BINARY answer.
const readChunk = 256

// Reading a file costs a round trip per READ BINARY, and a contactless card
// answers each in tens of milliseconds: so a file is read with one extended
// READ BINARY (Le 65536, "all there is") where the card and the reader
// accept it, which the integrated-terminal specifications ask of readers.
// The first refusal makes the Card read in short 256-byte chunks for the
// rest of its life.

// limitOf is how much one READ BINARY may ask for over t: what t says, or
// everything until the link refuses it.
func limitOf(t apdu.Transport) readLimit {
	if l, ok := t.(apdu.LengthLimits); ok {
		switch n := l.MaxResponse(); {
		case n <= 0:
		case n <= readChunk:
			return readChunk
		default:
			return readLimit(min(n, apdu.MaxExtendedLe))
		}
	}
	return apdu.MaxExtendedLe
}

// readLimit is the most data one READ BINARY asks for on this card's link.
type readLimit int

// ExtendedLength reports whether the link takes extended-length commands,
// as far as the Card knows: until a refusal, or a reader that says it
// takes only short ones, it assumes it does.
func (c *Card) ExtendedLength() bool { return c.link > readChunk }

// readBinary reads up to le bytes at off of the selected EF. An extended
// read the card or reader refuses switches the Card to short reads and is
// retried short, once. More data than asked for is an error, not a
// truncation: the card is not answering the question.
func (c *Card) readBinary(ctx context.Context, off, le int) ([]byte, error) {
	data, err := c.ch.Do(ctx, apdu.ReadBinary(off, le))
	if le > readChunk && ctx.Err() == nil && refusesExtended(err) {
		secret.Wipe(data)
		c.link, le = readChunk, readChunk
		data, err = c.ch.Do(ctx, apdu.ReadBinary(off, le))
	}
	if len(data) > le {
		secret.Wipe(data)
		return nil, fmt.Errorf("%w: READ BINARY answered %d bytes for %d", ErrMalformedRecord, len(data), le)
	}
	return data, err
}

// refusesExtended tells a refusal of the extended form (a status a card
// without extended length answers, or a reader failing the command) from
// a card that left or a caller that gave up: those end the read.
func refusesExtended(err error) bool {
	switch {
	case err == nil, errors.Is(err, apdu.ErrCardRemoved),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, apdu.ErrWrongLength), errors.Is(err, apdu.ErrNotSupported),
		errors.Is(err, apdu.ErrBadParameters):
		return true
	}
	return !isStatus(err) // any other status is the card's answer to the read
}

// readTLVFile reads the selected EF whose content is one TLV (optionally
// preceded by prefix bytes), learning its size from the header in the first
// answer, which counts toward the content: one command when the link takes
// extended length. Bytes past the TLV are dropped. Everything lands in
// locked memory and every answer from the transport is wiped.
func (c *Card) readTLVFile(ctx context.Context, prefix int) (*secret.Buffer, error) {
	return c.readSized(ctx, func(head []byte) (int, error) { return tlvSize(head, prefix) })
}

// tlvSize is the size of a file that holds prefix bytes and one TLV, from
// its first bytes.
func tlvSize(head []byte, prefix int) (int, error) {
	if len(head) <= prefix {
		return 0, fmt.Errorf("%w: %d header bytes", ErrMalformedRecord, len(head))
	}
	_, h, l, err := tlv.Header(head[prefix:])
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrMalformedRecord, err)
	}
	return prefix + h + l, nil
}

// readSized reads the selected EF whose size sizeOf tells from its first
// bytes: a first read of as much as the link carries, then the rest.
func (c *Card) readSized(ctx context.Context, sizeOf func(head []byte) (int, error)) (*secret.Buffer, error) {
	first, err := c.readBinary(ctx, 0, int(c.link))
	defer secret.Wipe(first)
	if err != nil && !errors.Is(err, apdu.ErrEndOfFile) {
		return nil, err
	}
	size, err := sizeOf(first)
	if err != nil {
		return nil, err
	}
	if size <= 0 || size > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrRecordTooLarge, size)
	}
	buf, err := secret.New(size)
	if err != nil {
		return nil, err
	}
	got := copy(buf.Bytes(), first)
	if err := c.readInto(ctx, buf.Bytes(), got); err != nil {
		buf.Destroy()
		return nil, err
	}
	return buf, nil
}

// readInto fills dst[off:] from the selected EF, starting at offset off, in
// answers as long as the link carries: a card may send less than asked.
func (c *Card) readInto(ctx context.Context, dst []byte, off int) error {
	for off < len(dst) {
		chunk, err := c.readBinary(ctx, off, min(int(c.link), len(dst)-off))
		got := copy(dst[off:], chunk)
		secret.Wipe(chunk)
		if err != nil {
			return err
		}
		if got == 0 {
			return fmt.Errorf("%w: file ended at %d of %d bytes", ErrMalformedRecord, off, len(dst))
		}
		off += got
	}
	return nil
}

// readCertificateFile reads a DER certificate, 30 82 LL LL and LLLL bytes,
// taking its length from the first answer.
func (c *Card) readCertificateFile(ctx context.Context) ([]byte, error) {
	buf, err := c.readSized(ctx, func(head []byte) (int, error) {
		if len(head) < 4 || head[0] != 0x30 || head[1] != 0x82 {
			return 0, fmt.Errorf("%w: certificate header % X", ErrMalformedRecord, head[:min(len(head), 4)])
		}
		return int(head[2])<<8 | int(head[3]) + 4, nil
	})
	if err != nil {
		return nil, err
	}
	defer buf.Destroy()
	return append([]byte(nil), buf.Bytes()...), nil // certificates are public
}
