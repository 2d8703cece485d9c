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

// readTLVFile reads the selected EF whose content is one TLV (optionally
// preceded by prefix bytes), learning its size from the header. The content
// lands in locked memory; every chunk from the transport is wiped.
func (c *Card) readTLVFile(ctx context.Context, prefix int) (*secret.Buffer, error) {
	head, err := c.ch.Do(ctx, apdu.ReadBinary(0, prefix+8))
	if err != nil && !errors.Is(err, apdu.ErrEndOfFile) {
		return nil, err
	}
	defer secret.Wipe(head)
	if len(head) <= prefix {
		return nil, fmt.Errorf("%w: %d header bytes", ErrMalformedRecord, len(head))
	}
	_, h, l, err := tlv.Header(head[prefix:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedRecord, err)
	}
	return c.readExactly(ctx, prefix+h+l)
}

// readExactly reads size bytes of the selected EF into locked memory.
func (c *Card) readExactly(ctx context.Context, size int) (*secret.Buffer, error) {
	if size <= 0 || size > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrRecordTooLarge, size)
	}
	buf := secret.New(size)
	dst := buf.Bytes()
	for off := 0; off < size; {
		n := min(readChunk, size-off)
		chunk, err := c.ch.Do(ctx, apdu.ReadBinary(off, n))
		got := copy(dst[off:], chunk)
		secret.Wipe(chunk)
		if err != nil {
			buf.Destroy()
			return nil, err
		}
		if got == 0 {
			buf.Destroy()
			return nil, fmt.Errorf("%w: file ended at %d of %d bytes", ErrMalformedRecord, off, size)
		}
		off += got
	}
	return buf, nil
}

// readCertificateFile reads a DER certificate: 4 bytes 30 82 LL LL, then the rest.
func (c *Card) readCertificateFile(ctx context.Context) ([]byte, error) {
	head, err := c.ch.Do(ctx, apdu.ReadBinary(0, 4))
	if err != nil {
		return nil, err
	}
	if len(head) < 4 || head[0] != 0x30 || head[1] != 0x82 {
		return nil, fmt.Errorf("%w: certificate header % X", ErrMalformedRecord, head)
	}
	size := int(head[2])<<8 | int(head[3]) + 4
	buf, err := c.readExactly(ctx, size)
	if err != nil {
		return nil, err
	}
	defer buf.Destroy()
	return append([]byte(nil), buf.Bytes()...), nil // certificates are public
}
