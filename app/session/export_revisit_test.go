package session

import "github.com/uketsuke/uketsuke/app/eligibility"

// KeepAnswer keeps a valid first visit's answer as Check would, for the
// re-visit adapter's tests.
func (a *EligibilityAdapter) KeepAnswer(ticket string, res *eligibility.Result) {
	a.keepInsured(ticket, res)
}
