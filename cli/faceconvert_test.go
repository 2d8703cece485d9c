package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"
)

func TestFaceConvertUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errOut}
	for _, args := range [][]string{{"--bogus"}, {"extra"}} {
		if err := Run(context.Background(), env, append([]string{"face", "convert"}, args...)); !errors.Is(err, ErrUsage) {
			t.Errorf("face convert %v: %v, want ErrUsage", args, err)
		}
	}
}

func TestFaceConvertWithoutPacks(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errOut}
	err := Run(context.Background(), env, []string{"face", "convert", "--npm", t.TempDir(), "--out", t.TempDir()})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("face convert on an empty folder: %v, want a not-exist error", err)
	}
}
