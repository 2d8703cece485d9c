package reception

import (
	"context"
	"fmt"

	"github.com/uketsuke/uketsuke/app/eligibility"
	"github.com/uketsuke/uketsuke/app/reception"
)

// Outcome is one request and the kiosk's answer, as the clinic read it.
type Outcome struct {
	Request  string // the req/ file's name
	Segment  string // SegmentOfResult: 1 answered, 9 an error
	Validity string // QualificationValidity
	Error    string // ErrorMessage of an error answer
	Err      error  // the clinic got no answer
}

// malformedRequest is a req/ file a careless reception system might write.
var malformedRequest = []byte(`<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageBody><InsurerNumber>12`)

// Play is the clinic's side of `simulate --reqres`: it asks the kiosk about
// each query through req/, then sends one malformed request, and reads every
// answer from res/.
func (c *Clinic) Play(ctx context.Context, queries []eligibility.InsuranceQuery) []Outcome {
	var names []string
	for i, q := range queries {
		name, err := c.Ask(Query{InsurerNumber: q.InsurerNumber, Symbol: q.InsuredCardSymbol,
			Number: q.InsuredIdentificationNumber, Branch: q.InsuredBranchNumber, Birthdate: q.Birthdate,
			Ref: fmt.Sprintf("q%d", i+1)})
		if err != nil {
			return []Outcome{{Err: err}}
		}
		names = append(names, name)
	}
	bad := c.nextName()
	if err := c.WriteRaw(bad, malformedRequest); err != nil {
		return []Outcome{{Err: err}}
	}
	names = append(names, bad)
	out := make([]Outcome, 0, len(names))
	for _, name := range names {
		out = append(out, c.outcome(ctx, name))
	}
	return out
}

func (c *Clinic) outcome(ctx context.Context, name string) Outcome {
	doc, err := c.Await(ctx, name)
	if err != nil {
		return Outcome{Request: name, Err: err}
	}
	return outcomeOf(name, doc)
}

func outcomeOf(name string, d *reception.Document) Outcome {
	return Outcome{Request: name, Segment: d.Header.SegmentOfResult, Validity: d.Body.QualificationValidity,
		Error: d.Header.ErrorMessage}
}
