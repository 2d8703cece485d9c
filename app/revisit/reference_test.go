package revisit

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// memStore is the correspondence table in memory, as much of Store as
// linking and unlinking use (store/ tests the real one on both databases).
type memStore struct {
	Store // the rest is not used here
	rows  map[LinkID]Link
	codes map[Code]LinkID
}

func newMemStore() *memStore { return &memStore{rows: map[LinkID]Link{}, codes: map[Code]LinkID{}} }

func (s *memStore) Link(_ context.Context, l Link) error {
	if _, ok := s.codes[l.Code]; ok {
		return ErrAlreadyLinked
	}
	s.rows[l.ID], s.codes[l.Code] = l, l.ID
	return nil
}

func (s *memStore) Lookup(_ context.Context, c Code) (Link, error) {
	id, ok := s.codes[c]
	if !ok {
		return Link{}, ErrNotLinked
	}
	return s.rows[id], nil
}

func (s *memStore) tagged(tags []Code, tagOf func(Link) Code) []LinkID {
	var ids []LinkID
	for id, l := range s.rows {
		for _, t := range tags {
			if tagOf(l) == t {
				ids = append(ids, id)
				break
			}
		}
	}
	return ids
}

func (s *memStore) one(ids []LinkID) (LinkID, error) {
	switch len(ids) {
	case 0:
		return LinkID{}, ErrNotLinked
	case 1:
		return ids[0], nil
	}
	return LinkID{}, ErrAmbiguous
}

func insuredTagOf(l Link) Code { return l.InsuredTag }
func patientTagOf(l Link) Code { return l.PatientTag }

func (s *memStore) LookupInsured(_ context.Context, tags []Code) (Link, error) {
	id, err := s.one(s.tagged(tags, insuredTagOf))
	return s.rows[id], err
}

func (s *memStore) erase(ids []LinkID) error {
	if len(ids) == 0 {
		return ErrNotLinked
	}
	for _, id := range ids {
		delete(s.rows, id)
		for c, of := range s.codes {
			if of == id {
				delete(s.codes, c)
			}
		}
	}
	return nil
}

func (s *memStore) Unlink(_ context.Context, c Code) error {
	id, ok := s.codes[c]
	if !ok {
		return ErrNotLinked
	}
	return s.erase([]LinkID{id})
}

func (s *memStore) UnlinkPatient(_ context.Context, tags []Code) error {
	return s.erase(s.tagged(tags, patientTagOf))
}

func (s *memStore) UnlinkInsured(_ context.Context, tags []Code) error {
	return s.erase(s.tagged(tags, insuredTagOf))
}

func (s *memStore) Import(_ context.Context, f func(ImportTx) error) error {
	return f(memTx{s: s})
}

type memTx struct {
	ImportTx // the rest is not used here
	s        *memStore
}

func (t memTx) LookupPatient(_ context.Context, tags []Code) (LinkID, error) {
	return t.s.one(t.s.tagged(tags, patientTagOf))
}

// fakeReferences is the eligibility system's register: it answers err
// and notes every number it was asked to forget.
type fakeReferences struct {
	err   error
	asked []PatientNumber
}

func (f *fakeReferences) Deregister(_ context.Context, n PatientNumber) error {
	f.asked = append(f.asked, n)
	return f.err
}

var (
	hanako   = Patient{Insured: InsuredNumber{Insurer: "06139999", Symbol: "愛知", Number: "7654321", Branch: "01"}, Number: "A-000042"}
	noNumber = Patient{Insured: InsuredNumber{Insurer: "138222", Number: "5550001", Branch: "02"}}
)

func referenceBook(t *testing.T) (*Book, *memStore, *fakeReferences) {
	t.Helper()
	codes, err := NewCodeKeys([]KeyMaterial{{"c1", testKey(1, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := NewSealer([]KeyMaterial{{"d1", testKey(2, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { codes.Destroy(); sealer.Destroy() })
	s, refs := newMemStore(), &fakeReferences{}
	b := NewBook(s, codes, sealer, time.Now)
	b.UseReferences(refs)
	return b, s, refs
}

func linked(t *testing.T, b *Book, c CardID, p Patient) {
	t.Helper()
	if err := b.Link(context.Background(), c, p); err != nil {
		t.Fatal(err)
	}
}

// The kiosk's unlink: the row's number is de-registered before the row
// goes; while the eligibility system cannot forget it, the row stays and
// the error says so without the number.
func TestUnlinkDeregistersTheRowsNumberBeforeErasingIt(t *testing.T) {
	ctx := context.Background()
	b, _, refs := referenceBook(t)
	c := card(t, "CN=CA", "1001")
	linked(t, b, c, hanako)

	refs.err = errors.New("eligibility: service unreachable")
	err := b.Unlink(ctx, c)
	if !errors.Is(err, ErrReferenceKept) || !errors.Is(err, refs.err) || strings.Contains(err.Error(), string(hanako.Number)) {
		t.Fatalf("unreachable: %v", err)
	}
	if _, err := b.Find(ctx, c); err != nil {
		t.Fatalf("the row went with its number still registered: %v", err)
	}

	refs.err = nil
	if err := b.Unlink(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Find(ctx, c); !errors.Is(err, ErrNotLinked) {
		t.Fatalf("after unlinking: %v", err)
	}
	if len(refs.asked) != 2 || refs.asked[0] != hanako.Number || refs.asked[1] != hanako.Number {
		t.Fatalf("asked to forget %q", refs.asked)
	}
	if err := b.Unlink(ctx, c); !errors.Is(err, ErrNotLinked) || len(refs.asked) != 2 {
		t.Fatalf("unlinking again: %v, asked %d times", err, len(refs.asked))
	}
}

// A number the system no longer holds is as good as forgotten; a row
// without a number asks nothing; a book without References unlinks as
// before.
func TestUnlinkWithNothingToDeregister(t *testing.T) {
	ctx := context.Background()
	b, _, refs := referenceBook(t)
	c1, c2 := card(t, "CN=CA", "2001"), card(t, "CN=CA", "2002")
	linked(t, b, c1, hanako)
	linked(t, b, c2, noNumber)
	refs.err = ErrNotRegistered
	if err := b.Unlink(ctx, c1); err != nil {
		t.Fatalf("already forgotten: %v", err)
	}
	if err := b.Unlink(ctx, c2); err != nil || len(refs.asked) != 1 {
		t.Fatalf("no number: %v, asked %q", err, refs.asked)
	}

	b.UseReferences(nil)
	linked(t, b, c1, hanako)
	if err := b.Unlink(ctx, c1); err != nil || len(refs.asked) != 1 {
		t.Fatalf("without References: %v, asked %q", err, refs.asked)
	}
}

// Staff unlink by patient number: a number no row holds is never sent
// (it may be another patient's registration); a held one is de-registered
// first, and kept with its row while that fails.
func TestUnlinkPatientDeregistersOnlyANumberTheTableHolds(t *testing.T) {
	ctx := context.Background()
	b, _, refs := referenceBook(t)
	c := card(t, "CN=CA", "3001")
	linked(t, b, c, hanako)
	if err := b.UnlinkPatient(ctx, "A-000099"); !errors.Is(err, ErrNotLinked) || len(refs.asked) != 0 {
		t.Fatalf("a number no row holds: %v, asked %q", err, refs.asked)
	}
	refs.err = errors.New("eligibility: service unreachable")
	if err := b.UnlinkPatient(ctx, hanako.Number); !errors.Is(err, ErrReferenceKept) {
		t.Fatalf("unreachable: %v", err)
	}
	if _, err := b.Find(ctx, c); err != nil {
		t.Fatalf("the row went: %v", err)
	}
	refs.err = nil
	if err := b.UnlinkPatient(ctx, hanako.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Find(ctx, c); !errors.Is(err, ErrNotLinked) || len(refs.asked) != 2 || refs.asked[1] != hanako.Number {
		t.Fatalf("after unlinking: %v, asked %q", err, refs.asked)
	}
}

// Staff unlink by insured number: the row's own number is de-registered.
// Of two rows with one insured number neither's number is known, and the
// rows go without a de-registration.
func TestUnlinkInsuredDeregistersTheRowsNumber(t *testing.T) {
	ctx := context.Background()
	b, s, refs := referenceBook(t)
	c := card(t, "CN=CA", "4001")
	linked(t, b, c, hanako)
	refs.err = errors.New("eligibility: service unreachable")
	if err := b.UnlinkInsured(ctx, hanako.Insured); !errors.Is(err, ErrReferenceKept) {
		t.Fatalf("unreachable: %v", err)
	}
	refs.err = nil
	if err := b.UnlinkInsured(ctx, hanako.Insured); err != nil {
		t.Fatal(err)
	}
	if len(refs.asked) != 2 || refs.asked[1] != hanako.Number || len(s.rows) != 0 {
		t.Fatalf("asked %q, %d rows left", refs.asked, len(s.rows))
	}
	if err := b.UnlinkInsured(ctx, hanako.Insured); !errors.Is(err, ErrNotLinked) || len(refs.asked) != 2 {
		t.Fatalf("again: %v, asked %q", err, refs.asked)
	}

	// Two kiosks linking at one moment: two rows of one insured number.
	linked(t, b, c, hanako)
	var twin Link
	for _, l := range s.rows {
		twin = l
	}
	twin.ID[0]++
	twin.Code.Sum[0]++
	s.rows[twin.ID], s.codes[twin.Code] = twin, twin.ID
	if err := b.UnlinkInsured(ctx, hanako.Insured); err != nil || len(s.rows) != 0 || len(refs.asked) != 2 {
		t.Fatalf("two rows: %v, %d rows left, asked %q", err, len(s.rows), refs.asked)
	}
}
