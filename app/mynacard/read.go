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
// preceded by prefix bytes), learning its size from the header in the first
// chunk, which counts toward the content. Everything lands in locked memory
// and every chunk from the transport is wiped.
func (c *Card) readTLVFile(ctx context.Context, prefix int) (*secret.Buffer, error) {
	first, err := c.ch.Do(ctx, apdu.ReadBinary(0, readChunk))
	defer secret.Wipe(first)
	if err != nil && !errors.Is(err, apdu.ErrEndOfFile) {
		return nil, err
	}
	if len(first) <= prefix {
		return nil, fmt.Errorf("%w: %d header bytes", ErrMalformedRecord, len(first))
	}
	_, h, l, err := tlv.Header(first[prefix:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedRecord, err)
	}
	size := prefix + h + l
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

// readExactly reads size bytes of the selected EF into locked memory.
func (c *Card) readExactly(ctx context.Context, size int) (*secret.Buffer, error) {
	if size <= 0 || size > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrRecordTooLarge, size)
	}
	buf, err := secret.New(size)
	if err != nil {
		return nil, err
	}
	if err := c.readInto(ctx, buf.Bytes(), 0); err != nil {
		buf.Destroy()
		return nil, err
	}
	return buf, nil
}

// readInto fills dst[off:] from the selected EF, starting at offset off.
func (c *Card) readInto(ctx context.Context, dst []byte, off int) error {
	for off < len(dst) {
		chunk, err := c.ch.Do(ctx, apdu.ReadBinary(off, min(readChunk, len(dst)-off)))
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
