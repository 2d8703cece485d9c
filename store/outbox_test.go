package store

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

func outboxRecord(t *testing.T, reception int) revisit.VisitRecord {
	t.Helper()
	c := revisit.Code{KeyID: "k1"}
	c.Sum[0] = byte(reception)
	r, err := revisit.NewVisitRecord(revisit.VisitRecord{Facility: "1312345678", Kiosk: "kiosk-01",
		Time: time.Now(), Code: c, Auth: revisit.AuthPinless, Reception: reception})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOutboxKeepsRecordsUntilSent(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		ctx := context.Background()
		db := d.open(t)
		base := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		var recs []revisit.VisitRecord
		for i := range 3 {
			r := outboxRecord(t, i+1)
			recs = append(recs, r)
			// Queued newest first: the queue orders by queue time.
			if err := db.Enqueue(ctx, r, base.Add(time.Duration(3-i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Enqueue(ctx, recs[0], base); err != nil {
			t.Fatalf("a second Enqueue of one record: %v", err)
		}
		// A kiosk restart: a new handle sees every record.
		db.Close()
		db = d.open(t)
		got, err := db.Pending(ctx, 10)
		if err != nil || len(got) != 3 {
			t.Fatalf("pending after reopen: %d, %v; want 3 (one per id)", len(got), err)
		}
		for i, want := range []revisit.VisitRecord{recs[2], recs[1], recs[0]} {
			payload, _ := want.MarshalJSON()
			if got[i].ID != want.ID || !bytes.Equal(got[i].Payload, payload) {
				t.Fatalf("pending[%d] = %s, want %s with its JSON form", i, got[i].ID, want.ID)
			}
		}
		if got, _ := db.Pending(ctx, 2); len(got) != 2 {
			t.Fatalf("limit 2 gave %d", len(got))
		}
		if err := db.Failed(ctx, recs[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Sent(ctx, recs[2].ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeadLetter(ctx, recs[1].ID, "HTTP 400: malformed", base.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Pending(ctx, 10)
		if len(got) != 1 || got[0].ID != recs[0].ID {
			t.Fatalf("pending after one sent and one set aside: %+v", got)
		}
		dead, err := db.DeadLetters(ctx)
		if err != nil || len(dead) != 1 || dead[0].ID != recs[1].ID || dead[0].Reason != "HTTP 400: malformed" ||
			dead[0].Attempts != 2 || !dead[0].Set.Equal(base.Add(time.Minute)) || len(dead[0].Payload) == 0 {
			t.Fatalf("dead letters: %+v, %v", dead, err)
		}
		// A record set aside is not queued again by a repeated Enqueue.
		if err := db.Enqueue(ctx, recs[1], base); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Pending(ctx, 10); len(got) != 1 {
			t.Fatalf("a dead letter came back to the queue: %d pending", len(got))
		}
	})
}

func TestOutboxRefusesAnInvalidRecord(t *testing.T) {
	db := testDatabase{url: "sqlite:" + t.TempDir() + "/outbox.db"}.open(t)
	r := outboxRecord(t, 1)
	r.Facility = "x"
	if err := db.Enqueue(context.Background(), r, time.Now()); err == nil {
		t.Fatal("an invalid record was queued")
	}
}
