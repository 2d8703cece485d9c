package onshi

import (
	"context"
	"time"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// newResult starts a result with its header filled for kiosk k.
func newResult(now time.Time, k kiosk, reference, method string) *eligibility.Result {
	return &eligibility.Result{
		Header: eligibility.Header{
			ProcessExecutionTime:          stamp(now),
			QualificationConfirmationDate: day(now),
			MedicalInstitutionCode:        k.Institution,
			ReferenceClassification:       reference,
			SegmentOfResult:               eligibility.SegmentNormal,
			CharacterCodeIdentifier:       eligibility.CharacterCodeUTF8,
		},
		Body: eligibility.Body{ProcessingResultStatus: "1", AuthMethod: method},
	}
}

// resultForPerson answers a check by card: the holder's records in force.
func (s *Server) resultForPerson(ctx context.Context, k kiosk, person int64, method string) (*eligibility.Result, error) {
	now := s.cfg.Now()
	recs, err := s.cfg.Store.recordsOfPerson(ctx, person)
	if err != nil {
		return nil, err
	}
	res := newResult(now, k, eligibility.ReferenceByCard, method)
	active := inForce(recs, day(now))
	switch {
	case len(recs) == 0:
		res.Body.QualificationValidity = eligibility.ValidityNoQualification
	case len(active) == 1:
		res.Body.QualificationValidity = eligibility.ValidityValid
		recs = active
	case len(active) > 1:
		res.Body.QualificationValidity = eligibility.ValidityMultipleMatches
		recs = active
	default:
		res.Body.QualificationValidity = eligibility.ValidityInvalid
		recs = recs[:1] // the latest
	}
	return res, s.fill(ctx, res, k, recs)
}

// resultForNumber answers a check by insurance card number.
func (s *Server) resultForNumber(ctx context.Context, k kiosk, q eligibility.InsuranceQuery) (*eligibility.Result, error) {
	now := s.cfg.Now()
	recs, err := s.cfg.Store.recordsByNumber(ctx, q.InsurerNumber, q.InsuredIdentificationNumber,
		q.InsuredCardSymbol, q.InsuredBranchNumber, q.Birthdate)
	if err != nil {
		return nil, err
	}
	res := newResult(now, k, eligibility.ReferenceByInsuranceCard, eligibility.AuthNone)
	today := day(now)
	switch {
	case len(recs) == 0:
		res.Body.QualificationValidity = eligibility.ValidityNoQualification
	case len(recs) > 1:
		res.Body.QualificationValidity = eligibility.ValidityMultipleMatches
	case recs[0].activeOn(today) && recs[0].Linkable:
		res.Body.QualificationValidity = eligibility.ValidityValid
	case recs[0].activeOn(today):
		res.Body.QualificationValidity = eligibility.ValidityValidUnregistered
	default:
		all, err := s.cfg.Store.recordsOfPerson(ctx, recs[0].PersonID)
		if err != nil {
			return nil, err
		}
		if newer := inForce(all, today); len(newer) > 0 {
			res.Body.QualificationValidity = eligibility.ValidityInvalidNewExists
			recs = append(recs, newer...)
		} else {
			res.Body.QualificationValidity = eligibility.ValidityInvalid
		}
	}
	return res, s.fill(ctx, res, k, recs)
}

func inForce(recs []record, today string) []record {
	var out []record
	for _, r := range recs {
		if r.activeOn(today) {
			out = append(out, r)
		}
	}
	return out
}

// fill adds the records and, per holder, the latest consent at this
// institution; each record carries the reference number this institution
// registered for its insured number (no other institution's).
func (s *Server) fill(ctx context.Context, res *eligibility.Result, k kiosk, recs []record) error {
	consents := map[int64]*eligibility.ConsentState{}
	for _, r := range recs {
		c, seen := consents[r.PersonID]
		if !seen {
			row, err := s.cfg.Store.latestConsent(ctx, r.PersonID, k.Institution)
			if err != nil {
				return err
			}
			c = row.state()
			consents[r.PersonID] = c
		}
		q := r.qualification(c)
		ref, err := s.cfg.Store.referenceOf(ctx, k.Institution, r)
		if err != nil {
			return err
		}
		q.ReferenceNumber = ref
		res.Body.Qualifications = append(res.Body.Qualifications, q)
	}
	return nil
}

func (r record) qualification(c *eligibility.ConsentState) eligibility.Qualification {
	q := eligibility.Qualification{
		InsuredCardClassification: r.CardClass, InsurerNumber: r.Insurer, InsuredCardSymbol: r.Symbol,
		InsuredIdentificationNumber: r.Number, InsuredBranchNumber: r.Branch,
		PersonalFamilyClassification: r.FamilyClass, InsurerName: r.InsurerName,
		InsuredName: r.Name, InsuredNameKana: r.Kana, Sex: r.Sex, Birthdate: r.Birth,
		Address: r.Address, PostNumber: r.Post, QualificationDate: r.QualDate,
		DisqualificationDate: r.DisqDate, InsuredPartialContributionRatio: r.Ratio,
		ElderlyRecipientCertificateInfo: elderlyCertificate(r), Consent: c,
	}
	if r.LimitClass != "" {
		q.LimitApplicationCertificateRelatedInfo = &eligibility.LimitApplicationCertificateRelatedInfo{
			LimitApplicationCertificateClassificationFlag: r.LimitClass}
	}
	if r.Diseases != "" {
		q.SpecificDiseases = []string{r.Diseases}
	}
	return q
}

func (c *consentRow) state() *eligibility.ConsentState {
	if c == nil {
		return nil
	}
	return &eligibility.ConsentState{
		SpecificHealthCheckupsInfoConsFlg: c.Checkups, SpecificHealthCheckupsInfoConsTime: c.RecordedAt,
		PharmacistsInfoConsFlg: c.Pharmacist, PharmacistsInfoConsTime: c.RecordedAt,
		MedicalTreatmentInfoConsFlg: c.Treatment, MedicalTreatmentInfoConsTime: c.RecordedAt,
		OperationInfoConsFlg: c.Operation, OperationInfoConsTime: c.RecordedAt,
	}
}

// elderlyCertificate is the 高齢受給者証 of a holder aged 70 to 74: valid
// from the month after the 70th birthday (the birthday's month when it is
// the 1st) to the end of the month of the 75th birthday's eve, when
// 後期高齢者医療 takes over.
func elderlyCertificate(r record) *eligibility.ElderlyRecipientCertificateInfo {
	if r.Elderly != "高齢受給者" {
		return nil
	}
	birth, err := time.Parse("20060102", r.Birth)
	if err != nil {
		return nil
	}
	seventy := birth.AddDate(70, 0, 0)
	start := time.Date(seventy.Year(), seventy.Month(), 1, 0, 0, 0, 0, time.UTC)
	if seventy.Day() != 1 {
		start = start.AddDate(0, 1, 0)
	}
	eve := birth.AddDate(75, 0, -1)
	end := time.Date(eve.Year(), eve.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	return &eligibility.ElderlyRecipientCertificateInfo{
		ElderlyRecipientCertificateDate:   start.AddDate(0, -1, 0).Format("20060102"),
		ElderlyRecipientValidStartDate:    start.Format("20060102"),
		ElderlyRecipientValidEndDate:      end.Format("20060102"),
		ElderlyRecipientContributionRatio: r.Ratio,
	}
}
