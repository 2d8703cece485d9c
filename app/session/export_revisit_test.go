package session

import (
	"context"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/revisit"
)

// KeepAnswer keeps a valid first visit's answer as Check would, for the
// re-visit adapter's tests.
func (a *EligibilityAdapter) KeepAnswer(ticket string, res *eligibility.Result) {
	a.keepInsured(ticket, res)
}

// CardIDForTest reads a card's id as Recognise does.
func CardIDForTest(c Card) (revisit.CardID, time.Time, error) {
	der, err := c.AuthCertificate(context.Background())
	if err != nil {
		return revisit.CardID{}, time.Time{}, err
	}
	return cardIDOf(der)
}
