// Package woff wraps an OpenType font in WOFF 1.0: the same tables, each
// zlib-compressed. go-text (Fyne's font engine) reads WOFF directly, so the
// kiosk embeds WOFF to keep the binary small without subsetting any font.
package woff

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// ErrNotSFNT is returned for input that is not a single TrueType/OpenType font.
var ErrNotSFNT = errors.New("woff: not a single OpenType font")

const (
	sfntHeaderSize = 12
	sfntEntrySize  = 16
	woffHeaderSize = 44
	woffEntrySize  = 20
)

type table struct {
	tag      uint32
	checksum uint32
	data     []byte
}

// Encode converts an sfnt font (TTF or OTF, not a collection) to WOFF 1.0.
func Encode(sfnt []byte) ([]byte, error) {
	flavor, tables, err := readTables(sfnt)
	if err != nil {
		return nil, err
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })

	dataStart := woffHeaderSize + woffEntrySize*len(tables)
	dir := make([]byte, dataStart)
	var body bytes.Buffer
	sfntSize := sfntHeaderSize + sfntEntrySize*len(tables)
	for i, t := range tables {
		stored, err := compress(t.data)
		if err != nil {
			return nil, err
		}
		e := dir[woffHeaderSize+woffEntrySize*i:]
		binary.BigEndian.PutUint32(e[0:], t.tag)
		binary.BigEndian.PutUint32(e[4:], uint32(dataStart+body.Len()))
		binary.BigEndian.PutUint32(e[8:], uint32(len(stored)))
		binary.BigEndian.PutUint32(e[12:], uint32(len(t.data)))
		binary.BigEndian.PutUint32(e[16:], t.checksum)
		body.Write(stored)
		body.Write(make([]byte, pad4(len(stored))-len(stored)))
		sfntSize += pad4(len(t.data))
	}
	writeHeader(dir, flavor, dataStart+body.Len(), len(tables), sfntSize)
	return append(dir, body.Bytes()...), nil
}

func writeHeader(h []byte, flavor uint32, total, numTables, sfntSize int) {
	copy(h[0:], "wOFF")
	binary.BigEndian.PutUint32(h[4:], flavor)
	binary.BigEndian.PutUint32(h[8:], uint32(total))
	binary.BigEndian.PutUint16(h[12:], uint16(numTables))
	binary.BigEndian.PutUint32(h[16:], uint32(sfntSize))
	binary.BigEndian.PutUint16(h[20:], 1) // font version 1.0; no metadata, no private block
}

// compress returns the zlib stream, or the table itself when that is not
// smaller, as WOFF requires.
func compress(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if buf.Len() >= len(data) {
		return data, nil
	}
	return buf.Bytes(), nil
}

func readTables(sfnt []byte) (uint32, []table, error) {
	if len(sfnt) < sfntHeaderSize {
		return 0, nil, ErrNotSFNT
	}
	flavor := binary.BigEndian.Uint32(sfnt)
	switch flavor {
	case 0x00010000, 0x4F54544F, 0x74727565: // TrueType, 'OTTO', 'true'
	default:
		return 0, nil, fmt.Errorf("%w: signature %08x", ErrNotSFNT, flavor)
	}
	n := int(binary.BigEndian.Uint16(sfnt[4:]))
	if len(sfnt) < sfntHeaderSize+sfntEntrySize*n {
		return 0, nil, fmt.Errorf("%w: truncated table directory", ErrNotSFNT)
	}
	tables := make([]table, n)
	for i := range tables {
		e := sfnt[sfntHeaderSize+sfntEntrySize*i:]
		off, length := binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:])
		if uint64(off)+uint64(length) > uint64(len(sfnt)) {
			return 0, nil, fmt.Errorf("%w: table %d outside the file", ErrNotSFNT, i)
		}
		tables[i] = table{binary.BigEndian.Uint32(e), binary.BigEndian.Uint32(e[4:]), sfnt[off : off+length]}
	}
	return flavor, tables, nil
}

func pad4(n int) int { return (n + 3) &^ 3 }
