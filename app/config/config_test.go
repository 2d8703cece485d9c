package config

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/sim/jlis"
)

func doc(t testing.TB, mod func(*Config)) []byte {
	c := Default()
	c.Serial = 2
	if mod != nil {
		mod(c)
	}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDefaultIsValidAndRoundTrips(t *testing.T) {
	c, err := Parse(doc(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Face.AttemptTime.Duration != 10*time.Second || c.Face.Threshold != 0 || c.Serial != 2 {
		t.Fatalf("round trip %+v", c.Face)
	}
}

// facility.ask_prescription is on by default, also when a document
// (a clinic's file, a bundle's policy) leaves it out; false switches it off.
func TestAskPrescriptionDefaultsOn(t *testing.T) {
	if !Default().Facility.AskPrescription {
		t.Fatal("Default does not ask for the prescription form")
	}
	c, err := Parse([]byte(`{"facility": {"code": "1312345678", "default_language": "ja"},
		"face": {"fusion_frames": 3, "fusion_window": "2s", "attempt_time": "10s", "attempts": 3},
		"card": {"scan_attempts": 3, "keyb_min_tries": 5}, "session": {"inactivity": "60s"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Facility.AskPrescription {
		t.Error("a document without ask_prescription switched it off")
	}
	c, err = Parse(doc(t, func(c *Config) { c.Facility.AskPrescription = false }))
	if err != nil || c.Facility.AskPrescription {
		t.Errorf("ask_prescription false: %+v, %v", c.Facility, err)
	}
	c, err = Parse(Starter())
	if err != nil || !c.Facility.AskPrescription {
		t.Errorf("starter: %+v, %v", c.Facility, err)
	}
}

func anchors(t testing.TB) json.RawMessage {
	data, err := json.Marshal(jlis.New(jlis.DefaultSeed).Anchors())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestValidationNamesTheField(t *testing.T) {
	cases := map[string]func(*Config){
		"face.threshold":              func(c *Config) { c.Face.Threshold = 1.5 },
		"face.fusion_frames":          func(c *Config) { c.Face.FusionFrames = 0 },
		"face.attempts":               func(c *Config) { c.Face.Attempts = 9 },
		"face.attempt_time":           func(c *Config) { c.Face.AttemptTime.Duration = time.Second },
		"face.fusion_window":          func(c *Config) { c.Face.FusionWindow.Duration = time.Minute },
		"card.scan_attempts":          func(c *Config) { c.Card.ScanAttempts = 0 },
		"session.inactivity":          func(c *Config) { c.Session.Inactivity.Duration = time.Hour },
		"facility.code":               func(c *Config) { c.Facility.Code = "12345" },
		"facility.default_language":   func(c *Config) { c.Facility.DefaultLanguage = "fr" },
		"facility.wording":            func(c *Config) { c.Facility.Wording = map[string]map[string]string{"xx": {"a": "b"}} },
		"facility.wording.en.Bad Key": func(c *Config) { c.Facility.Wording = map[string]map[string]string{"en": {"Bad Key": "b"}} },
		"facility.wording.en.done":    func(c *Config) { c.Facility.Wording = map[string]map[string]string{"en": {"done": "a\x07"}} },
		"devices[0].vendor":           func(c *Config) { c.Devices = []AllowedDevice{{Kind: "reader", Vendor: "54C", Product: "06c1"}} },
		"devices[1]": func(c *Config) {
			d := AllowedDevice{Kind: "reader", Vendor: "054c", Product: "06c1"}
			c.Devices = []AllowedDevice{d, d}
		},
		"trust_anchors": func(c *Config) { c.Anchors = json.RawMessage(`{"kenmen":[{"id":"60","modulus":"ff","exponent":3}]}`) },
	}
	for field, mod := range cases {
		_, err := Parse(doc(t, mod))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != field || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v", field, err)
		}
	}
	good := doc(t, func(c *Config) {
		c.Anchors = anchors(t)
		c.Devices = []AllowedDevice{{Kind: "reader", Vendor: "054c", Product: "06c1"}}
		c.Facility.Wording = map[string]map[string]string{"ja": {"screen.idle": "カードを置いてください"}}
	})
	c, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if !c.AllowsDevice("reader", "054c", "06c1", "") || c.AllowsDevice("face_camera", "054c", "06c1", "") {
		t.Fatal("allow-list")
	}
	if ta, err := c.TrustAnchors(); err != nil || len(ta.Kenmen) == 0 || ta.JPKI == nil {
		t.Fatalf("trust anchors %v", err)
	}
}

func TestMalformed(t *testing.T) {
	for _, in := range []string{"", "{", `{"serial":1,"nope":2}`, `{"face":{"attempt_time":10}}`, `{} {}`} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func keys(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func TestStoreAppliesOnlyVerifiedNewerBundles(t *testing.T) {
	pub, priv := keys(t)
	otherPub, otherPriv := keys(t)
	store, err := NewStore(Default(), pub)
	if err != nil {
		t.Fatal(err)
	}
	newer := doc(t, func(c *Config) { c.Face.Threshold = 0.62 })
	signed, err := SignBundle(newer, forAll(), priv)
	if err != nil {
		t.Fatal(err)
	}

	tampered := bytes.Replace(signed, []byte(`"config": "`), []byte(`"config": "A`), 1)
	var b bundle
	json.Unmarshal(signed, &b)
	b.Config = bytes.Replace(b.Config, []byte("0.62"), []byte("0.21"), 1)
	flipped, _ := json.Marshal(b)
	b.Signature = nil
	unsigned, _ := json.Marshal(b)
	foreign, _ := SignBundle(newer, forAll(), otherPriv)
	_ = otherPub

	rejects := map[string]struct {
		data []byte
		want error
	}{
		"tampered value":  {flipped, ErrBadSignature},
		"broken encoding": {tampered, ErrMalformed},
		"unsigned":        {unsigned, ErrUnsigned},
		"unknown key":     {foreign, ErrUnknownKey},
		"garbage":         {[]byte("hello"), ErrMalformed},
	}
	for name, c := range rejects {
		if _, err := store.Apply(c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		if store.Current().Face.Threshold != 0 {
			t.Fatalf("%s changed the running configuration", name)
		}
	}
	got, err := store.Apply(signed)
	if err != nil || got.Face.Threshold != 0.62 || store.Current().Face.Threshold != 0.62 {
		t.Fatalf("valid bundle: %v", err)
	}
	if _, err := store.Apply(signed); !errors.Is(err, ErrRollback) {
		t.Fatalf("replayed bundle: %v", err)
	}
	invalid := doc(t, func(c *Config) { c.Serial = 9; c.Face.Attempts = 0 })
	if _, err := SignBundle(invalid, forAll(), priv); !errors.Is(err, ErrInvalid) {
		t.Fatalf("signing an invalid document: %v", err)
	}
	if store.Current().Face.Threshold != 0.62 {
		t.Fatal("running configuration lost")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(doc(f, nil))
	f.Add([]byte(`{"face":{"threshold":0.5}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err == nil && c.Validate() != nil {
			t.Fatal("Parse accepted an invalid configuration")
		}
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalid) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

// FuzzOpenBundle feeds the parser and verifier any envelope: it may accept
// only what the key signed, for this kiosk, unexpired; every refusal is typed.
func FuzzOpenBundle(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Unix(1_800_000_000, 0)
	signed, _ := SignBundle(doc(f, nil), Claims{NotAfter: now.Add(time.Hour), Facility: testFacility}, priv)
	forKiosk, _ := SignBundle(doc(f, nil), Claims{NotAfter: now.Add(time.Hour), Facility: testFacility, Kiosk: "kiosk-1"}, priv)
	f.Add(signed)
	f.Add(forKiosk)
	f.Add(bytes.Replace(signed, []byte(testFacility), []byte("1312345678"), 1))
	f.Add([]byte(`{"format":"uketsuke-config/1"}`))
	f.Add([]byte(`{"format":"uketsuke-config/2","not_after":"2030-01-01T00:00:00.5Z"}`))
	aud := Audience{Facility: testFacility, Kiosk: "kiosk-1", Now: now}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := OpenBundle(data, []ed25519.PublicKey{pub}, aud)
		if err != nil {
			for _, want := range []error{ErrMalformed, ErrInvalid, ErrUnsigned, ErrBadSignature, ErrUnknownKey, ErrBundleExpired, ErrWrongAudience} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("untyped refusal %v", err)
		}
		if c == nil {
			t.Fatal("nil configuration without error")
		}
		var b bundle
		if json.Unmarshal(data, &b) != nil {
			t.Fatal("accepted what does not decode")
		}
		cl := Claims{NotAfter: time.Unix(b.NotAfter.Unix(), 0), Facility: b.Facility, Kiosk: b.Kiosk}
		if !ed25519.Verify(pub, signedBytes(cl, b.Config), b.Signature) {
			t.Fatal("accepted a bundle whose signature does not verify")
		}
		if now.After(cl.NotAfter) || cl.Facility != testFacility || (cl.Kiosk != "" && cl.Kiosk != "kiosk-1") || c.Facility.Code != testFacility {
			t.Fatalf("accepted a bundle not for this kiosk now: %+v", cl)
		}
	})
}

const testFacility = "0000000000" // Default()'s facility code

// forAll addresses a bundle to every kiosk of the default facility, for a day.
func forAll() Claims {
	return Claims{NotAfter: time.Now().Add(24 * time.Hour), Facility: testFacility}
}
