package enclosure

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSwitchReadsItsValueFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "value")
	write := func(v string) {
		if err := os.WriteFile(path, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	high, err := New(path, "")
	if err != nil {
		t.Fatal(err)
	}
	low, err := New(path, "0")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		value     string
		highOpens bool
	}{{"0\n", false}, {"1\n", true}, {"1", true}, {" 0 ", false}} {
		write(c.value)
		if got, err := high.Opened(); err != nil || got != c.highOpens {
			t.Errorf("%q, open on 1: %v %v", c.value, got, err)
		}
		if got, err := low.Opened(); err != nil || got == c.highOpens {
			t.Errorf("%q, open on 0: %v %v", c.value, got, err)
		}
	}
	for _, v := range []string{"", "2", "10", "on"} {
		write(v)
		if _, err := high.Opened(); !errors.Is(err, ErrValue) {
			t.Errorf("%q: %v, want ErrValue", v, err)
		}
	}
	os.Remove(path)
	if _, err := high.Opened(); err == nil {
		t.Error("a missing switch file read without an error")
	}
}

func TestSwitchOptionsAreChecked(t *testing.T) {
	if _, err := New("", "1"); !errors.Is(err, ErrOption) {
		t.Errorf("no path: %v, want ErrOption", err)
	}
	if _, err := New("/sys/class/gpio/gpio17/value", "high"); !errors.Is(err, ErrOption) {
		t.Errorf("open value high: %v, want ErrOption", err)
	}
}
