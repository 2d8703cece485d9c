package wire

import (
	"github.com/uketsuke/uketsuke/app/revisit"
	"github.com/uketsuke/uketsuke/console"
	"github.com/uketsuke/uketsuke/store"
)

// revisitConsole gives the console re-visit's ports when the kiosk has
// re-visit reception: unlinking through the kiosk's book, and the dead
// letters of its outbox, whose sender a retry wakes.
func (w *World) revisitConsole(o *console.Options) {
	if w.rv.book != nil {
		o.Unlinker = w.rv.book
	}
	if w.rv.outbox != nil {
		o.DeadLetters = outboxDeadLetters{w.rv.outbox.Queue, w.rv.outbox.Sender}
	}
}

// outboxDeadLetters is the outbox's queue (DeadLetters, RetryDead,
// DiscardDead) with its sender's Wake (appconsole.Waker).
type outboxDeadLetters struct {
	*store.DB
	*revisit.Sender
}
