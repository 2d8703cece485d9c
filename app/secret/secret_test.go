package secret

import (
	"bytes"
	"testing"
)

func TestTakeMovesAndWipesSource(t *testing.T) {
	src := []byte("55021720352285")
	b := take(src)
	defer b.Destroy()
	if !bytes.Equal(b.Bytes(), []byte("55021720352285")) {
		t.Fatalf("buffer holds %q", b.Bytes())
	}
	if !bytes.Equal(src, make([]byte, len(src))) {
		t.Fatalf("source not wiped: %q", src)
	}
}

func TestDestroyIsFinalAndIdempotent(t *testing.T) {
	b := take([]byte{1, 2, 3})
	b.Destroy()
	b.Destroy()
	if b.Alive() || b.Len() != 0 || b.Bytes() != nil {
		t.Fatal("destroyed buffer still exposes memory")
	}
	var nilBuf *Buffer
	nilBuf.Destroy()
	if nilBuf.Len() != 0 {
		t.Fatal("nil buffer has length")
	}
}

func TestEqual(t *testing.T) {
	a, b, c := take([]byte("1234")), take([]byte("1234")), take([]byte("1235"))
	defer a.Destroy()
	defer b.Destroy()
	defer c.Destroy()
	if !Equal(a, b) || Equal(a, c) || Equal(a, &Buffer{}) {
		t.Fatal("Equal wrong")
	}
}

// take moves b into locked memory; tests run far below the lock limit.
func take(b []byte) *Buffer {
	buf, err := Take(b)
	if err != nil {
		panic(err)
	}
	return buf
}
