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

// A de-registration names the facility and the number, keeps its key
// across retries, and a number the facility never registered is typed.
func TestDeregistrationRetriesWithOneKeyAndTypesNotFound(t *testing.T) {
	var got ReferenceNumberDeregistrationRequest
	c, keys := stub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != PathReferenceNumberDeregister {
			t.Errorf("path %s", r.URL.Path)
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Error(err)
		}
		if n < 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"DeregisteredAt":"2026-12-06T09:00:00+09:00"}`))
	})
	out, err := c.DeregisterReferenceNumber(context.Background(), "", "1312345678", "000123")
	if err != nil || out.DeregisteredAt == "" {
		t.Fatalf("%+v %v", out, err)
	}
	if got.MedicalInstitutionCode != "1312345678" || got.ReferenceNumber != "000123" {
		t.Fatalf("sent %+v", got)
	}
	if k := keys.all(); len(k) != 2 || k[0] == "" || k[0] != k[1] {
		t.Fatalf("keys %q", k)
	}

	c, _ = stub(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(404)
		w.Write([]byte(`{"Error":{"Code":"reference_number_not_found","Message":"none"}}`))
	})
	var api *APIError
	if _, err := c.DeregisterReferenceNumber(context.Background(), "", "1312345678", "000123"); !errors.Is(err, ErrReferenceNotFound) ||
		!errors.As(err, &api) || api.Status != 404 {
		t.Fatalf("%v", err)
	}
}
