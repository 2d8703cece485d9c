package session

import "time"

// snapshot builds the View from the machine's state; it runs on the
// machine's goroutine only.
func (k *Kiosk) snapshot() View {
	v := View{At: time.Now(), State: k.state, Fault: k.fault, PIN: PINView{Length: PINLength, TriesLeft: -1}}
	v.Message = MsgKey("screen." + k.state.String())
	v.Revisit.Mode = k.set.Visits
	s := k.s
	if s == nil {
		if k.cardPresent {
			v.Message, v.Error = MsgRemoveCard, ErrCodeCardStillThere
			k.cardLeftPrompt(&v)
		}
		return v
	}
	v.Session = s.id
	v.StaffAsked = s.staffAsked
	v.Error = s.errCode
	v.Guidance = s.guidance
	v.Methods = MethodsView{
		Face: canFace(s, Event{}), PIN: canPIN(s, Event{}), Staff: true,
		PINLocked: s.hasPIN && s.pinTries == 0, NoPIN: !s.hasPIN && s.pinTries == 0,
	}
	v.PIN.Digits = s.digits
	v.PIN.CanSubmit = s.digits == PINLength
	v.PIN.TriesLeft = s.pinTries
	v.PIN.LastTry = s.hasPIN && s.pinTries == 1
	v.Face = FaceView{
		Attempt: s.faceAttempt, MaxAttempts: s.settings.FaceAttempts,
		CanRetry: canFace(s, Event{}), PhotoReady: s.photoReady,
		Passing: s.hints.reported && s.guidance == GuidanceNone,
	}
	v.Consent = ConsentView{Individual: s.individual, Selected: s.items}
	v.Result = ResultView{Validity: s.result.Validity, Method: s.method}
	v.Revisit = k.revisitView(s)
	v.HelpCalled = s.helpCalled
	if s.stillThere {
		v.Prompt, v.PromptEnds = MsgStillThere, s.idleEnds
	}
	if finished(k.state) {
		k.cardLeftPrompt(&v)
	}
	k.refine(&v, s)
	refineRevisit(k.state, &v, s)
	return v
}

// cardLeftPrompt adds the reminder once the card has stayed too long.
func (k *Kiosk) cardLeftPrompt(v *View) {
	if k.reminders > 0 {
		v.Prompt, v.Reminders = MsgCardLeft, k.reminders
	}
}

// refine picks the message variant a state needs.
func (k *Kiosk) refine(v *View, s *session) {
	switch k.state {
	case StateMethod:
		if v.Methods.PINLocked && k.prev == StatePINVerifying {
			v.Message, v.Error = MsgPINLocked, ErrCodePINLocked
		}
	case StateFace:
		if budget := s.settings.FaceAttemptTime; budget > 0 {
			left := time.Until(s.faceEnds)
			v.Progress = clamp01(1 - float64(left)/float64(budget))
			v.Face.Ends = s.faceEnds
		}
	case StateFaceFailed:
		if s.photoErr != ErrCodeNone {
			v.Error = s.photoErr
		}
		if !v.Face.CanRetry && !v.Methods.PIN {
			v.Message = MsgStaffOnly
		}
	case StatePIN:
		if v.PIN.LastTry {
			v.Message = MsgLastTry
		}
		if k.prev == StatePINVerifying {
			v.Error = ErrCodePINWrong
		}
	case StateDone:
		if s.result.Validity != ValidityValid {
			v.Message, v.Error = MsgSeeReception, ErrCodeIneligible
		}
	}
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }
