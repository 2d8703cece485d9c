// Package tlv parses BER-TLV as the My Number Card uses it: multi-byte tags
// (the card's private two-byte tags such as DF21 or 5F4E) and definite lengths
// of up to three length bytes. Values alias the input; nothing is copied.
package tlv

import (
	"errors"
	"fmt"
)

// Parsing failures.
var (
	ErrTruncated = errors.New("tlv: truncated")
	ErrBadTag    = errors.New("tlv: malformed tag")
	ErrBadLength = errors.New("tlv: malformed length")
	ErrMissing   = errors.New("tlv: tag not found")
)

// MaxTagBytes bounds tag length; the card uses at most two.
const MaxTagBytes = 3

// Item is one decoded TLV. Value aliases the parsed buffer.
type Item struct {
	Tag   uint32
	Value []byte
}

// Constructed reports whether the tag's first byte marks a constructed value.
func (it Item) Constructed() bool {
	first := it.Tag
	for first > 0xFF {
		first >>= 8
	}
	return first&0x20 != 0
}

// Header decodes a tag and length at the start of b and returns the header's
// size and the value's length, without requiring the value to be present: it
// lets a reader learn a record's total size from its first bytes.
func Header(b []byte) (tag uint32, headerLen, valueLen int, err error) {
	tag, n, err := readTag(b)
	if err != nil {
		return 0, 0, 0, err
	}
	l, m, err := readLength(b[n:])
	if err != nil {
		return 0, 0, 0, err
	}
	return tag, n + m, l, nil
}

// Next decodes the first item of b and returns the rest.
func Next(b []byte) (Item, []byte, error) {
	tag, h, l, err := Header(b)
	if err != nil {
		return Item{}, nil, err
	}
	if l > len(b)-h {
		return Item{}, nil, fmt.Errorf("%w: tag %X wants %d bytes, %d left", ErrTruncated, tag, l, len(b)-h)
	}
	return Item{Tag: tag, Value: b[h : h+l]}, b[h+l:], nil
}

// Parse decodes a sequence of items that fills b exactly. Padding bytes 00 or
// FF between items (allowed by ISO 7816-4) are skipped.
func Parse(b []byte) ([]Item, error) {
	var items []Item
	for {
		b = skipPadding(b)
		if len(b) == 0 {
			return items, nil
		}
		it, rest, err := Next(b)
		if err != nil {
			return items, err
		}
		items = append(items, it)
		b = rest
	}
}

func skipPadding(b []byte) []byte {
	for len(b) > 0 && (b[0] == 0x00 || b[0] == 0xFF && (len(b) == 1 || b[1] == 0xFF || b[1] == 0x00)) {
		b = b[1:]
	}
	return b
}

// Find returns the value of the first item with tag.
func Find(items []Item, tag uint32) ([]byte, error) {
	for _, it := range items {
		if it.Tag == tag {
			return it.Value, nil
		}
	}
	return nil, fmt.Errorf("%w: %X", ErrMissing, tag)
}

func readTag(b []byte) (uint32, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("%w: no tag", ErrTruncated)
	}
	tag := uint32(b[0])
	if b[0]&0x1F != 0x1F {
		return tag, 1, nil
	}
	for i := 1; ; i++ {
		if i >= MaxTagBytes {
			return 0, 0, fmt.Errorf("%w: longer than %d bytes", ErrBadTag, MaxTagBytes)
		}
		if i >= len(b) {
			return 0, 0, fmt.Errorf("%w: in tag", ErrTruncated)
		}
		tag = tag<<8 | uint32(b[i])
		if b[i]&0x80 == 0 {
			return tag, i + 1, nil
		}
	}
}

func readLength(b []byte) (int, int, error) {
	if len(b) == 0 {
		return 0, 0, fmt.Errorf("%w: no length", ErrTruncated)
	}
	first := b[0]
	if first < 0x80 {
		return int(first), 1, nil
	}
	n := int(first & 0x7F)
	if n == 0 || n > 3 {
		return 0, 0, fmt.Errorf("%w: %02X", ErrBadLength, first)
	}
	if len(b) < 1+n {
		return 0, 0, fmt.Errorf("%w: in length", ErrTruncated)
	}
	l := 0
	for _, c := range b[1 : 1+n] {
		l = l<<8 | int(c)
	}
	return l, 1 + n, nil
}

// Append encodes one item onto dst (used by the virtual card and by tests).
func Append(dst []byte, tag uint32, value []byte) []byte {
	switch {
	case tag > 0xFFFF:
		dst = append(dst, byte(tag>>16), byte(tag>>8), byte(tag))
	case tag > 0xFF:
		dst = append(dst, byte(tag>>8), byte(tag))
	default:
		dst = append(dst, byte(tag))
	}
	l := len(value)
	switch {
	case l < 0x80:
		dst = append(dst, byte(l))
	case l <= 0xFF:
		dst = append(dst, 0x81, byte(l))
	case l <= 0xFFFF:
		dst = append(dst, 0x82, byte(l>>8), byte(l))
	default:
		dst = append(dst, 0x83, byte(l>>16), byte(l>>8), byte(l))
	}
	return append(dst, value...)
}
