package console

import (
	"encoding/hex"
	"errors"
	"net/http"

	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/app/revisit"
)

// The re-visit routes: unlinking a patient and the dead letters of the
// visit records. The rules are app/console's; both are the
// administrator's, and each use is an access record (the operator's id,
// the action and its outcome; never a number).
func (s *Server) revisitRoutes(mux *http.ServeMux) {
	unlink, dead := operator.FuncUnlinkPatient, operator.FuncDeadLetters
	mux.Handle("POST /api/revisit/unlink", s.guard(unlink, s.unlink))
	mux.Handle("GET /api/revisit/dead-letters", s.guard(dead, s.deadLetters))
	mux.Handle("POST /api/revisit/dead-letters/retry", s.guard(dead, s.retryOrDiscard(true)))
	mux.Handle("POST /api/revisit/dead-letters/discard", s.guard(dead, s.retryOrDiscard(false)))
}

func notConfigured(w http.ResponseWriter) {
	writeError(w, http.StatusServiceUnavailable, "not_configured", "", "re-visit reception is not set up on this kiosk")
}

func (s *Server) unlink(w http.ResponseWriter, r *http.Request, op operator.Operator) {
	if s.o.Unlinker == nil {
		notConfigured(w)
		return
	}
	body, ok := readBody(w, r, appconsole.MaxBody, "application/json")
	if !ok {
		return
	}
	req, err := appconsole.DecodeUnlink(body)
	by := "patient_number"
	if err == nil {
		if req.Insured != nil {
			by = "insured"
		}
		err = appconsole.Unlink(r.Context(), s.o.Unlinker, req)
	}
	appconsole.Record(s.o.Record, op, appconsole.ActionUnlink, []string{by}, err)
	if errors.Is(err, revisit.ErrReferenceKept) {
		// The row stays until the eligibility system forgets its number.
		s.o.Log.Warn("unlink waits for the eligibility system", "fault", "revisit.reference_kept", "err", err)
		writeError(w, http.StatusBadGateway, "reference_kept", "",
			"the eligibility system could not be made to forget the patient number, so nothing was unlinked; try again later")
		return
	}
	if err != nil {
		s.refuse(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"unlinked": true, "by": by})
}

func (s *Server) deadLetters(w http.ResponseWriter, r *http.Request, _ operator.Operator) {
	if s.o.DeadLetters == nil {
		notConfigured(w)
		return
	}
	dead, err := s.o.DeadLetters.DeadLetters(r.Context())
	if err != nil {
		s.refuse(w, err)
		return
	}
	list := appconsole.DeadLettersOf(dead)
	writeJSON(w, http.StatusOK, map[string]any{"count": len(list), "dead_letters": list})
}

func (s *Server) retryOrDiscard(retry bool) handler {
	action := appconsole.ActionDiscardDead
	if retry {
		action = appconsole.ActionRetryDead
	}
	return func(w http.ResponseWriter, r *http.Request, op operator.Operator) {
		if s.o.DeadLetters == nil {
			notConfigured(w)
			return
		}
		body, ok := readBody(w, r, appconsole.MaxBody, "application/json")
		if !ok {
			return
		}
		id, err := appconsole.DecodeDeadLetter(body)
		if err == nil {
			err = appconsole.RetryOrDiscard(r.Context(), s.o.DeadLetters, id, retry)
		}
		appconsole.Record(s.o.Record, op, action, nil, err)
		if err != nil {
			s.refuse(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": hex.EncodeToString(id[:]), "done": action})
	}
}
