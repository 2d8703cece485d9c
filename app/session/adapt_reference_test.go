package session

import (
	"context"
	"errors"
	"testing"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/revisit"
)

type deregisterer struct {
	err                error
	institution, asked string
}

func (d *deregisterer) DeregisterReferenceNumber(_ context.Context, _, institution, n string) (*eligibility.ReferenceNumberDeregistrationResponse, error) {
	d.institution, d.asked = institution, n
	if d.err != nil {
		return nil, d.err
	}
	return &eligibility.ReferenceNumberDeregistrationResponse{DeregisteredAt: "x"}, nil
}

// The registry asks under the kiosk's facility; the service's "not
// registered" is revisit's, every other failure is passed on.
func TestReferenceRegistryDeregisters(t *testing.T) {
	ctx := context.Background()
	d := &deregisterer{}
	r := ReferenceRegistry{Client: d, Facility: "1312345678"}
	if err := r.Deregister(ctx, "A-000042"); err != nil || d.institution != "1312345678" || d.asked != "A-000042" {
		t.Fatalf("%v: asked %q at %q", err, d.asked, d.institution)
	}
	d.err = &eligibility.APIError{Status: 404, Code: eligibility.CodeReferenceNotFound}
	if err := r.Deregister(ctx, "A-000042"); !errors.Is(err, revisit.ErrNotRegistered) {
		t.Fatalf("not registered: %v", err)
	}
	d.err = eligibility.ErrTransport
	if err := r.Deregister(ctx, "A-000042"); !errors.Is(err, eligibility.ErrTransport) || errors.Is(err, revisit.ErrNotRegistered) {
		t.Fatalf("unreachable: %v", err)
	}
}
