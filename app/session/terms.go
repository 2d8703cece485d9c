package session

import (
	"strings"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/secret"
)

// The session's audit vocabulary: state, event, method and error names are
// code-defined identifiers, so they are the only words the log can carry.
var (
	stateTerms  = map[State]audit.Term{}
	eventTerms  = map[EventKind]audit.Term{}
	methodTerms = map[Method]audit.Term{}
	cardTerms   = map[CardKind]audit.Term{}

	termFrom         = audit.MustTerm("from")
	termTo           = audit.MustTerm("to")
	termIgnored      = audit.MustTerm("ignored")
	termState        = audit.MustTerm("state")
	termLastState    = audit.MustTerm("last_state")
	termFaceAttempts = audit.MustTerm("face_attempts")
	termValidity     = audit.MustTerm("validity")
	termFaceToResult = audit.MustTerm("face_to_result")
	termElapsed      = audit.MustTerm("elapsed")
	termCompleted    = audit.MustTerm("completed")
	termUnknownCode  = audit.MustTerm("unknown_code")
	termTook         = audit.MustTerm("took")
	termOK           = audit.MustTerm("ok")
	termCard         = audit.MustTerm("card")
	termAID          = audit.MustTerm("aid")

	stageTerms = map[string]audit.Term{}
)

// Stage names.
const (
	stageDetect      = "stage.detect"
	stageScanKeyB    = "stage.scan_keyb"
	stageVerifyKeyB  = "stage.verify_keyb"
	stageReadPhoto   = "stage.read_photo"
	stageDecode      = "stage.decode_photo"
	stageEmbedPhoto  = "stage.embed_photo"
	stageMatch       = "stage.match"
	stageVerifyPIN   = "stage.verify_pin"
	stageSign        = "stage.sign_challenge"
	stageEligibility = "stage.eligibility"
	stagePrepare     = "stage.prepare_pinless"
	stageAdvance     = "stage.advance_pinless"
	stageRegister    = "stage.register"
	stageConsent     = "stage.consent"

	// Re-visit reception; placement_to_ticket is the whole visit, from the
	// card on the reader to the number (revisit bench reads it).
	stageRecognise         = "stage.recognise"
	stageIssue             = "stage.issue"
	stageLink              = "stage.link"
	stageUnlink            = "stage.unlink"
	stagePlacementToTicket = StagePlacementToTicket
)

// StagePlacementToTicket names the Stage a re-visit reports when its number
// is issued: the whole visit, from the card on the reader to the number
// (what `revisit bench` measures).
const StagePlacementToTicket = "stage.placement_to_ticket"

func init() {
	for _, s := range States() {
		stateTerms[s] = audit.MustTerm(s.String())
	}
	for e := EvNone; e < eventCount; e++ {
		eventTerms[e] = audit.MustTerm(e.String())
	}
	for _, n := range []string{stageDetect, stageScanKeyB, stageVerifyKeyB, stageReadPhoto, stageDecode,
		stageEmbedPhoto, stageMatch, stageVerifyPIN, stageSign, stageEligibility, stagePrepare, stageAdvance, stageRegister, stageConsent,
		stageRecognise, stageIssue, stageLink, stageUnlink, stagePlacementToTicket} {
		stageTerms[n] = audit.MustTerm(n)
	}
	for m := MethodNone; m <= MethodLocal; m++ {
		methodTerms[m] = audit.MustTerm(m.String())
	}
	for c := CardUnknown; c < cardKindCount; c++ {
		cardTerms[c] = audit.MustTerm(c.String())
	}
}

// codeTerm maps an error code onto the audit vocabulary.
func codeTerm(c ErrorCode) audit.Term {
	t, err := audit.NewTerm(strings.ToLower(string(c)))
	if err != nil {
		return termUnknownCode
	}
	return t
}

func outcomeTerm(last State, reason ErrorCode) audit.Term {
	if last == StateDone {
		return termCompleted
	}
	return codeTerm(reason)
}

func newPINBuffer() (*secret.Buffer, error) { return secret.New(PINLength) }
