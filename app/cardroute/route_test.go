package cardroute

import "testing"

func TestACardGoesToThePatientUnlessALoginWaits(t *testing.T) {
	var r Router
	if h := r.Placed(); h != Patient {
		t.Fatalf("no login waiting: %s", h)
	}
	if h := r.Removed(); h != Patient {
		t.Fatalf("removed: %s", h)
	}
	if h := r.Await(); h != None || !r.Waiting() {
		t.Fatalf("free reader: await says %s, waiting %v", h, r.Waiting())
	}
	if h := r.Placed(); h != Operator || r.Waiting() {
		t.Fatalf("placed while waiting: %s, still waiting %v", h, r.Waiting())
	}
	if h := r.Removed(); h != Operator {
		t.Fatalf("the operator's card left: %s", h)
	}
	// One card per wait: the next card is a patient's.
	if h := r.Placed(); h != Patient {
		t.Fatalf("after the login's card: %s", h)
	}
}

func TestALoginCannotTakeAPatientsCard(t *testing.T) {
	var r Router
	r.Placed()
	if h := r.Await(); h != Patient || r.Waiting() {
		t.Fatalf("await with a patient's card: %s, waiting %v", h, r.Waiting())
	}
	if h := r.Removed(); h != Patient {
		t.Fatalf("removed: %s", h)
	}
	// Waiting was refused, not queued: the next card is still a patient's.
	if h := r.Placed(); h != Patient {
		t.Fatalf("next card: %s", h)
	}
}

func TestAwaitWithTheOperatorsCardAlreadyThere(t *testing.T) {
	var r Router
	r.Await()
	r.Placed()
	if h := r.Await(); h != Operator || r.Waiting() {
		t.Fatalf("await again: %s, waiting %v", h, r.Waiting())
	}
}

func TestCancelledWaitLeavesCardsToPatients(t *testing.T) {
	var r Router
	r.Await()
	r.Cancel()
	if h := r.Placed(); h != Patient {
		t.Fatalf("after cancel: %s", h)
	}
	if r.Removed() != Patient || r.Removed() != None || r.Holder() != None {
		t.Fatal("a second removal names a holder")
	}
}
