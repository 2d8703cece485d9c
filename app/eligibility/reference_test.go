package eligibility

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
)

// The bulk call sends every entry under one key and hands back each
// unit's refusal as a typed error.
func TestBulkUnitsCarryTypedRefusals(t *testing.T) {
	var got ReferenceNumberBulkRequest
	c, keys := stub(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != PathReferenceNumbers {
			t.Errorf("path %s", r.URL.Path)
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Error(err)
		}
		w.Write([]byte(`{"RegisteredAt":"x","Units":[{"ProcessingResultStatus":"1"},
			{"ProcessingResultStatus":"2","Error":{"Code":"reference_number_in_use","Message":"taken"}},
			{"ProcessingResultStatus":"2"}]}`))
	})
	infos := []ReferenceNumberRegistrationInfo{{ReferenceNumber: "1"}, {ReferenceNumber: "2"}, {ReferenceNumber: "3"}}
	out, err := c.RegisterReferenceNumbers(context.Background(), "", "1312345678", infos)
	if err != nil {
		t.Fatal(err)
	}
	if got.MedicalInstitutionCode != "1312345678" || len(got.ReferenceNumberRegistrationInfo) != 3 || len(keys.all()) != 1 || keys.all()[0] == "" {
		t.Fatalf("sent %+v with keys %q", got, keys.all())
	}
	if err := out.Units[0].Err(); err != nil {
		t.Errorf("registered unit: %v", err)
	}
	var api *APIError
	if err := out.Units[1].Err(); !errors.Is(err, ErrReferenceInUse) || !errors.As(err, &api) || api.Status != 409 {
		t.Errorf("refused unit: %v", err)
	}
	if err := out.Units[2].Err(); !errors.Is(err, ErrInternal) {
		t.Errorf("a refusal without a reason: %v", err)
	}
}

func TestBulkAnswerWithTheWrongNumberOfUnitsIsAnError(t *testing.T) {
	c, _ := stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"RegisteredAt":"x","Units":[{"ProcessingResultStatus":"1"}]}`))
	})
	infos := []ReferenceNumberRegistrationInfo{{ReferenceNumber: "1"}, {ReferenceNumber: "2"}}
	if out, err := c.RegisterReferenceNumbers(context.Background(), "", "1312345678", infos); err == nil {
		t.Fatalf("accepted %+v", out)
	}
}

func TestOneRegistrationRefusedIsTyped(t *testing.T) {
	c, _ := stub(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != PathReferenceNumber {
			t.Errorf("path %s", r.URL.Path)
		}
		w.WriteHeader(400)
		w.Write([]byte(`{"Error":{"Code":"reference_number_invalid","Message":"no"}}`))
	})
	_, err := c.RegisterReferenceNumber(context.Background(), "", "1312345678", ReferenceNumberRegistrationInfo{ReferenceNumber: "x"})
	if !errors.Is(err, ErrReferenceInvalid) {
		t.Fatalf("%v", err)
	}
}
