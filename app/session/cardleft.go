package session

import "time"

// A card left on the reader after 受付完了 (a finished screen) or after its session
// ended (idle, "take your card"): TakeCardAfter later the View carries the
// MsgCardLeft prompt, again every TakeCardEvery while the card stays. The
// timer belongs to the kiosk, not the session: it outlives the session that
// ends while the card is still there.

// watchCardLeft arms or stops the reminder after every handled event.
func (k *Kiosk) watchCardLeft() {
	left := k.cardPresent && (finished(k.state) || k.state == StateIdle)
	switch {
	case !left:
		k.stopCardLeft()
	case k.cardTimer == nil:
		wait := k.set.takeCardAfter()
		if k.reminders > 0 {
			wait = k.set.takeCardEvery()
		}
		gen := k.cardGen
		k.cardTimer = time.AfterFunc(wait, func() {
			select {
			case k.events <- Event{Kind: EvTakeCard, gen: gen}:
			case <-k.done:
			}
		})
	}
}

// stopCardLeft forgets the reminders: the card was taken (or the kiosk stops).
func (k *Kiosk) stopCardLeft() {
	if k.cardTimer != nil {
		k.cardTimer.Stop()
		k.cardTimer = nil
	}
	k.cardGen++
	k.reminders = 0
}

// remindCard is the table's action for EvTakeCard: one more reminder; the
// next is armed by watchCardLeft.
func (k *Kiosk) remindCard(Event) {
	k.reminders++
	k.cardTimer = nil
}

// finished says whether a state is a patient's last screen: 受付完了, the
// re-visit's ticket, a referral elsewhere, or the card unlinked. Only the
// card is left to take there.
func finished(s State) bool {
	return s == StateDone || s == StateTicket || s == StateReferred || s == StateUnlinked
}
