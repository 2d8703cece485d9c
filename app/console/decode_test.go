package console

import (
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/config"
)

func TestDecodingNamesTheField(t *testing.T) {
	for body, field := range map[string]string{
		`{"session":0}`:    "session",
		`{"session":"1"}`:  "session",
		`{"session":-1}`:   "session",
		`{"sessions":1}`:   "sessions",
		`{"session":1} {}`: "",
		`[1]`:              "",
		``:                 "",
	} {
		_, err := DecodeDecision([]byte(body))
		var re *RequestError
		if !errors.As(err, &re) || re.Field != field {
			t.Errorf("%q: %v (field %q)", body, err, field)
		}
	}
	if d, err := DecodeDecision([]byte(`{"session":12}`)); err != nil || d.Session != 12 {
		t.Errorf("%+v %v", d, err)
	}
	if _, err := DecodeSettings([]byte(`{}`)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("an empty change: %v", err)
	}
}

// Whatever arrives, decoding returns a change or a typed error, and a
// change applied to a valid configuration gives a valid one or a
// validation error: never a panic, never an invalid configuration.
func FuzzDecodeSettings(f *testing.F) {
	for _, s := range []string{`{"face_attempts":2}`, `{"face_attempt_time":"8s"}`, `{"default_language":"en"}`,
		`{"wording":{"ja":{"screen.idle":"x"}}}`, `{"wording":{"xx":{"a":""}}}`, `{"face_attempts":1e9}`,
		`{"face_attempt_time":"-1h"}`, `{"parts":{}}`, `{"session":1}`, `{`, `null`} {
		f.Add([]byte(s))
	}
	base := config.Default()
	f.Fuzz(func(t *testing.T, body []byte) {
		ch, err := DecodeSettings(body)
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out, err := ch.Apply(base)
		if err != nil {
			var v *config.ValidationError
			if !errors.As(err, &v) || v.Field == "" {
				t.Fatalf("a refusal without a field: %v", err)
			}
			return
		}
		if err := out.Validate(); err != nil {
			t.Fatalf("applied an invalid change: %v", err)
		}
	})
}

func FuzzDecodeDecision(f *testing.F) {
	for _, s := range []string{`{"session":1}`, `{"session":0}`, `{"session":18446744073709551615}`, `{"session":1.5}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := DecodeDecision(body)
		if err != nil && !errors.Is(err, ErrBadRequest) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && d.Session == 0 {
			t.Fatal("a decision for no session")
		}
	})
}

func TestDecodeUnlinkWantsOneNumber(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"patient_number":"A-1"}`: true, `{"insured":{"insurer":"138222","number":"1"}}`: true,
		`{}`: false, `{"patient_number":"A-1","insured":{}}`: false, `{"patient_number":1}`: false,
		`{"patient_number":"A-1"} {}`: false, `{"name":"x"}`: false,
	} {
		if _, err := DecodeUnlink([]byte(body)); (err == nil) != ok {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestDecodeDeadLetterWantsLowerCaseHex(t *testing.T) {
	id, err := DecodeDeadLetter([]byte(`{"id":"00112233445566778899aabbccddeeff"}`))
	if err != nil || id[15] != 0xff {
		t.Fatalf("%x, %v", id, err)
	}
	for _, body := range []string{`{"id":"00112233445566778899AABBCCDDEEFF"}`, `{"id":"0011"}`, `{"id":""}`, `{}`} {
		if _, err := DecodeDeadLetter([]byte(body)); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
}

func TestStatusOfAReason(t *testing.T) {
	for reason, want := range map[string]int{
		"revisit: visit-history service refused the record (HTTP 422): malformed": 422,
		"something else": 0, "(HTTP 4": 0,
	} {
		if got := statusOf(reason); got != want {
			t.Errorf("%q: %d", reason, got)
		}
	}
}
