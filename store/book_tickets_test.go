package store

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// TestTwoKiosksIssue100TicketsAtOnce is two kiosks of one clinic, each with
// its own revisit.Book over its own handle (its own connection pool), on
// one database: 50 patients at each kiosk take a ticket for the same day
// and department at the same moment. The numbers are 1 to 100, each once:
// none lost, none twice. On PostgreSQL the counter's row lock orders them;
// on SQLite the two handles are two connections to one file, and the
// second writer waits out the first (BEGIN IMMEDIATE, busy_timeout).
func TestTwoKiosksIssue100TicketsAtOnce(t *testing.T) {
	eachDatabase(t, func(t *testing.T, d testDatabase) {
		kiosks := []*revisit.Book{book(t, d.open(t), "code-1"), book(t, d.open(t), "code-1")}
		const perKiosk = 50
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		got := make([][]int, len(kiosks))
		errs := make(chan error, len(kiosks)*perKiosk)
		start := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		for k, b := range kiosks {
			for range perKiosk {
				wg.Go(func() {
					<-start
					n, err := b.NextTicket(ctx, "internal")
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					got[k] = append(got[k], n)
					mu.Unlock()
				})
			}
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("a ticket failed: %v", err)
		}
		if len(got[0]) != perKiosk || len(got[1]) != perKiosk {
			t.Fatalf("kiosk 1 issued %d, kiosk 2 %d; want %d each", len(got[0]), len(got[1]), perKiosk)
		}
		all := append(append([]int(nil), got[0]...), got[1]...)
		sort.Ints(all)
		for i, n := range all {
			if n != i+1 {
				t.Fatalf("sorted numbers[%d] = %d: a duplicate or a gap\n%v", i, n, all)
			}
		}
		// The counter stands at 100 for both kiosks.
		if n, err := kiosks[1].NextTicket(ctx, "internal"); n != 101 || err != nil {
			t.Fatalf("the next number after the rush: %d, %v", n, err)
		}
		if n, err := kiosks[0].NextTicket(ctx, "surgery"); n != 1 || err != nil {
			t.Fatalf("another department's first number: %d, %v", n, err)
		}
	})
}
