package secret

import (
	"bytes"
	"testing"
)

func TestTakeMovesAndWipesSource(t *testing.T) {
	src := []byte("55021720352285")
	b := Take(src)
	defer b.Destroy()
	if !bytes.Equal(b.Bytes(), []byte("55021720352285")) {
		t.Fatalf("buffer holds %q", b.Bytes())
	}
	if !bytes.Equal(src, make([]byte, len(src))) {
		t.Fatalf("source not wiped: %q", src)
	}
}

func TestDestroyIsFinalAndIdempotent(t *testing.T) {
	b := Take([]byte{1, 2, 3})
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
	a, b, c := Take([]byte("1234")), Take([]byte("1234")), Take([]byte("1235"))
	defer a.Destroy()
	defer b.Destroy()
	defer c.Destroy()
	if !Equal(a, b) || Equal(a, c) || Equal(a, New(0)) {
		t.Fatal("Equal wrong")
	}
}
