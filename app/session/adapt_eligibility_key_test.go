package session

import "testing"

func TestActionKeysAreStablePerActionAndTicket(t *testing.T) {
	if actionKey("consent", "T1") != actionKey("consent", "T1") {
		t.Fatal("the same action on the same ticket must reuse its key")
	}
	if actionKey("consent", "T1") == actionKey("register", "T1") || actionKey("consent", "T1") == actionKey("consent", "T2") {
		t.Fatal("different actions or tickets must not share a key")
	}
	if len(actionKey("consent", "T1")) != 32 {
		t.Fatal("key length")
	}
}
