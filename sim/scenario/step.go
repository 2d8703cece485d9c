package scenario

import (
	"errors"
	"fmt"
	"time"

	"github.com/uketsuke/uketsuke/app/session"
)

func (st Step) check() error {
	n := 0
	for _, set := range []bool{st.Await != "", st.Touch != "", st.Digits != "", st.Staff != "",
		st.Card != "", st.Face != "", st.Expect != nil, st.Wait != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("a step needs exactly one action")
	}
	switch {
	case st.Await != "":
		if _, ok := session.ParseState(st.Await); !ok {
			return fmt.Errorf("unknown state %q", st.Await)
		}
		if st.Timeout != "" {
			if _, err := time.ParseDuration(st.Timeout); err != nil {
				return err
			}
		}
	case st.Touch != "":
		if _, ok := session.ParseEvent(st.Touch); !ok {
			return fmt.Errorf("unknown touch %q", st.Touch)
		}
		if _, ok := items[st.Item]; !ok {
			return fmt.Errorf("unknown consent item %q", st.Item)
		}
	case st.Staff != "":
		if _, ok := session.ParseEvent(st.Staff); !ok {
			return fmt.Errorf("unknown staff command %q", st.Staff)
		}
	case st.Digits != "":
		if st.Digits != "holder" {
			for _, c := range st.Digits {
				if c < '0' || c > '9' {
					return fmt.Errorf("digits must be 0-9 or \"holder\"")
				}
			}
		}
	case st.Card != "":
		if st.Card != "place" && st.Card != "remove" {
			return fmt.Errorf("card must be place or remove")
		}
	case st.Face != "":
		if st.Face != "holder" && st.Face != "stranger" && st.Face != "nobody" {
			return fmt.Errorf("face must be holder, stranger or nobody")
		}
	case st.Wait != "":
		if _, err := parseDelay(st.Wait); err != nil {
			return err
		}
	case st.Expect != nil:
		if st.Expect.State != "" {
			if _, ok := session.ParseState(st.Expect.State); !ok {
				return fmt.Errorf("unknown state %q", st.Expect.State)
			}
		}
	}
	return nil
}

var items = map[string]session.ConsentItems{
	"": 0, "medical": session.ConsentMedical, "drug": session.ConsentDrug,
	"surgery": session.ConsentSurgery, "checkup": session.ConsentCheckup,
}

// mismatch compares a view with an expectation; "" when it holds.
func (e *Expect) mismatch(v session.View) string {
	var out string
	check := func(name string, ok bool, got any) {
		if !ok {
			out += fmt.Sprintf(" %s=%v", name, got)
		}
	}
	if e.State != "" {
		check("state", v.State.String() == e.State, v.State)
	}
	if e.Error != nil {
		check("error", string(v.Error) == *e.Error, v.Error)
	}
	if e.Message != "" {
		check("message", string(v.Message) == e.Message, v.Message)
	}
	if e.Guidance != "" {
		check("guidance", string(v.Guidance) == e.Guidance, v.Guidance)
	}
	checkInt := func(name string, want *int, got int) {
		if want != nil {
			check(name, *want == got, got)
		}
	}
	checkBool := func(name string, want *bool, got bool) {
		if want != nil {
			check(name, *want == got, got)
		}
	}
	checkInt("tries_left", e.TriesLeft, v.PIN.TriesLeft)
	checkInt("digits", e.Digits, v.PIN.Digits)
	checkInt("validity", e.Validity, int(v.Result.Validity))
	checkInt("consent_items", e.Consent, int(v.Consent.Selected))
	checkBool("last_try", e.LastTry, v.PIN.LastTry)
	checkBool("can_submit", e.CanSubmit, v.PIN.CanSubmit)
	checkBool("face_offered", e.FaceOK, v.Methods.Face)
	checkBool("pin_offered", e.PINOK, v.Methods.PIN)
	checkBool("can_retry", e.CanRetry, v.Face.CanRetry)
	return out
}
