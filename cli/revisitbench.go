package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "revisit bench", Summary: "ms from placing a known card to its ticket (median, p95, max; goal p95 ≤ 1.5 s)", Run: runRevisitBench})
}

// revisitGoal is issue 20's goal for a known card: placement → ticket p95.
const revisitGoal = 1500 * time.Millisecond

// revisitFigures is what `revisit bench --json` prints, one object.
type revisitFigures struct {
	Visits      int     `json:"visits"`
	Transport   string  `json:"transport"`
	Latency     string  `json:"latency"`
	MedianMS    float64 `json:"median_ms"`
	P95MS       float64 `json:"p95_ms"`
	MaxMS       float64 `json:"max_ms"`
	FloorMS     float64 `json:"card_floor_ms"` // the median visit's card-link floor; 0 without a latency model
	SentMS      float64 `json:"card_sent_ms"`  // what the kiosk sent over the link in that visit
	GoalMS      float64 `json:"goal_p95_ms"`
	Pass        bool    `json:"pass"`
	Measurement string  `json:"measured"`
}

func runRevisitBench(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("revisit bench", env)
	n := fs.Int("n", 30, "re-visits of the linked card")
	transport := fs.String("transport", "inprocess", "how the kiosk reaches the virtual card: inprocess or pcsc (through a real pcscd and vpcd)")
	latency := fs.String("latency", "real", "card latency: real (the modelled card's) or fast (none)")
	asJSON := fs.Bool("json", false, "one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 10000 {
		return fmt.Errorf("%w: -n must be 1..10000", ErrUsage)
	}
	if *transport == "inproc" {
		*transport = "inprocess"
	}
	if *transport != "inprocess" && *transport != "pcsc" {
		return fmt.Errorf("%w: --transport inprocess or pcsc", ErrUsage)
	}
	if *latency != "real" && *latency != "fast" {
		return fmt.Errorf("%w: --latency real or fast", ErrUsage)
	}
	res, err := wire.RevisitBench(ctx, wire.RevisitBenchOptions{N: *n, Transport: *transport, Fast: *latency == "fast"})
	if err != nil {
		return err
	}
	f := figuresOf(res)
	f.Transport, f.Latency = *transport, *latency
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(f)
	}
	printRevisitFigures(env.Stdout, f, res.Latency)
	return nil
}

func figuresOf(res wire.RevisitBenchResult) revisitFigures {
	took := make([]time.Duration, len(res.Visits))
	floors := make([]vcard.Cost, len(res.Visits))
	for i, v := range res.Visits {
		took[i], floors[i] = v.PlacementToTicket, v.Floor
	}
	p95 := percentile(took, 0.95)
	f := revisitFigures{Visits: len(took), MedianMS: simMS(percentile(took, 0.5)), P95MS: simMS(p95),
		MaxMS: simMS(percentile(took, 1)), GoalMS: simMS(revisitGoal), Pass: p95 <= revisitGoal,
		Measurement: "stage.placement_to_ticket: the session's start at the card's placement to the issued number"}
	if len(floors) > 0 && res.Latency.PerAPDU > 0 {
		i := medianIndex(floors)
		f.FloorMS, f.SentMS = simMS(floors[i].Time), simMS(res.Visits[i].Sent.Time)
	}
	return f
}

func printRevisitFigures(w io.Writer, f revisitFigures, lat vcard.Latency) {
	fmt.Fprintf(w, "revisit bench: %d re-visits of one linked card, transport %s, latency %s, no departments (one counter)\n",
		f.Visits, f.Transport, f.Latency)
	fmt.Fprintf(w, "placement → ticket (%s):\n", f.Measurement)
	fmt.Fprintf(w, "  median %.1f ms, p95 %.1f ms, max %.1f ms\n", f.MedianMS, f.P95MS, f.MaxMS)
	if lat.PerAPDU > 0 {
		fmt.Fprintf(w, "card link (median visit) at %v per APDU + %v per byte: sent %.1f ms, floor %.1f ms\n",
			lat.PerAPDU, lat.PerByte, f.SentMS, f.FloorMS)
	} else {
		fmt.Fprintln(w, "card link: no latency model (--latency fast): no floor")
	}
	verdict := "FAIL"
	if f.Pass {
		verdict = "pass"
	}
	fmt.Fprintf(w, "goal: p95 ≤ %.0f ms: %s\n", f.GoalMS, verdict)
}
