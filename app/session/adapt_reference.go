package session

import (
	"context"
	"errors"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/revisit"
)

// ReferenceRegistry is revisit.References over the eligibility client: the
// facility's reference numbers (照会番号) as the eligibility system keeps
// them, so that unlinking a card, at the kiosk or from the console,
// de-registers its patient number (docs/revisit.md).
type ReferenceRegistry struct {
	Client   ReferenceDeregisterer
	Facility string // 医療機関コード
}

// ReferenceDeregisterer is the eligibility client's de-registration.
type ReferenceDeregisterer interface {
	DeregisterReferenceNumber(ctx context.Context, key, institution, n string) (*eligibility.ReferenceNumberDeregistrationResponse, error)
}

var _ revisit.References = ReferenceRegistry{}

// Deregister implements revisit.References. One idempotency key covers the
// client's retries; the errors carry no number.
func (r ReferenceRegistry) Deregister(ctx context.Context, n revisit.PatientNumber) error {
	_, err := r.Client.DeregisterReferenceNumber(ctx, "", r.Facility, string(n))
	if errors.Is(err, eligibility.ErrReferenceNotFound) {
		return revisit.ErrNotRegistered
	}
	return err
}
