package mynacard

import (
	"context"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/apdu"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/tlv"
)

func TestForbiddenFilesCannotBeSelected(t *testing.T) {
	c := Open(answerAll{0x90, 0x00})
	for _, f := range []struct {
		app application
		fid fileID
	}{{appKenmen, 0x0005}, {appKenmen, 0x0013}, {appHojo, 0x0001}} {
		if err := c.selectFile(context.Background(), f.app, f.fid); !errors.Is(err, ErrForbiddenFile) {
			t.Errorf("%v EF %04X: %v", f.app, uint16(f.fid), err)
		}
	}
}

// answerAll answers every command with the same bytes.
type answerAll []byte

func (a answerAll) Transmit(context.Context, []byte) ([]byte, error) { return a, nil }

// replay answers with a fixed script and then with 6A82.
type replay struct{ answers [][]byte }

func (r *replay) Transmit(context.Context, []byte) ([]byte, error) {
	if len(r.answers) == 0 {
		return []byte{0x6A, 0x82}, nil
	}
	a := r.answers[0]
	r.answers = r.answers[1:]
	return a, nil
}

func TestHostileLengthsAreBounded(t *testing.T) {
	// A face record header claiming 8 MB must be refused before allocation.
	header := []byte{0xFF, 0x20, 0x83, 0x7F, 0xFF, 0xFF, 0xDF, 0x21, 0x90, 0x00}
	c := Open(&replay{answers: [][]byte{{0x90, 0}, {0x90, 0}, header}})
	if _, err := c.ReadFaceRecord(context.Background()); !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("huge record: %v", err)
	}
}

func TestShortFileIsAnErrorNotALoop(t *testing.T) {
	header := []byte{0xFF, 0x20, 0x82, 0x01, 0x00, 0xDF, 0x21, 0x00, 0x90, 0x00}
	// the card then answers reads with no data and 9000
	c := Open(&replay{answers: [][]byte{{0x90, 0}, {0x90, 0}, header, {0x90, 0}}})
	if _, err := c.ReadFaceRecord(context.Background()); !errors.Is(err, ErrMalformedRecord) {
		t.Fatalf("empty reads: %v", err)
	}
}

func TestEmptyVerifyAnswering9000IsNotTriesLeft(t *testing.T) {
	c := Open(answerAll{0x90, 0x00})
	if _, err := c.CodeBTriesLeft(context.Background()); !errors.Is(err, apdu.ErrCardStatus) {
		t.Fatalf("9000 to an empty VERIFY: %v", err)
	}
}

func FuzzParseFaceRecord(f *testing.F) {
	var inner []byte
	for _, tag := range []uint32{TagBirth, TagSex, TagCardKey, TagNameImage, TagAddressImage, TagPhoto, TagSignature, TagExpiry, TagCodeImage} {
		inner = tlv.Append(inner, tag, []byte("19800217"))
	}
	f.Add(tlv.Append(nil, TagFaceRecord, inner))
	f.Add([]byte{0xFF, 0x20, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := ParseFaceRecord(secret.Take(append([]byte(nil), b...)))
		if err == nil {
			if rec.CardKey == nil || len(rec.Birth) != 8 {
				t.Fatal("accepted a record without a key or a birth date")
			}
			rec.Destroy()
		}
	})
}

func FuzzParseCVCertificate(f *testing.F) {
	f.Add([]byte{0x7F, 0x21, 0x04, 0x5F, 0x4E, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		cert, err := ParseCVCertificate(b)
		if err == nil && (cert.SubjectKey == nil || cert.SubjectKey.N.BitLen() < 2040) {
			t.Fatal("accepted a certificate without a usable key")
		}
	})
}

func FuzzVerifyIntegrity(f *testing.F) {
	f.Add([]byte{0xFF, 0x30, 0x00}, []byte{0xFF, 0x20, 0x00})
	f.Fuzz(func(t *testing.T, integ, attrs []byte) {
		if VerifyIntegrity(integ, attrs, testKey) == nil {
			t.Fatal("random bytes verified")
		}
	})
}

func FuzzClassifyToken(f *testing.F) {
	f.Add([]byte("JPKIAPICCTOKEN2                 "))
	f.Fuzz(func(t *testing.T, b []byte) {
		kind, err := classifyToken(b)
		if (err == nil) == (kind == KindUnknown) {
			t.Fatalf("kind %v with error %v", kind, err)
		}
	})
}
