package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "speech bench", Summary: "measure voice guidance: cold render time per language, time to first audio byte when warm, from a screen change to its first audio byte", Run: speechBench})
}

func speechBench(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("speech bench", flag.ContinueOnError)
	langs := fs.String("langs", "", "comma-separated languages (default: every language with a voice)")
	repeat := fs.Int("repeat", 20, "warm utterances per language")
	player := fs.String("player", "cat", `player command taking WAV on stdin; "auto" for paplay/aplay, "none" to render only`)
	rate := fs.Int("rate", 0, "espeak-ng words per minute (default 150)")
	doubtful := fs.Bool("doubtful", false, "include the voices that misread their language (Thai, Burmese)")
	if err := onshiFlags(fs, env, args); err != nil {
		return err
	}
	if *repeat < 1 {
		return fmt.Errorf("%w: --repeat must be at least 1", ErrUsage)
	}
	var mu sync.Mutex
	var waits []time.Duration
	firsts := make(chan firstByte, 64)
	sp, err := wire.NewSpeaker(wire.SpeakerOptions{Player: strings.Fields(*player), Rate: *rate, DoubtfulVoices: *doubtful,
		OnFirstByte: func(_ i18n.Lang, k i18n.Key, d time.Duration) {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			select {
			case firsts <- firstByte{k, time.Now()}:
			default:
			}
		}})
	if err != nil {
		return err
	}
	defer sp.Close()
	chosen, err := benchLanguages(*langs, sp.Available)
	if err != nil {
		return err
	}
	keys := guidance.Keys()
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "language\tprompts\tcold render\tper prompt\tfirst byte median\tp95\tscreens\tscreen to sound median\tp95\t\n")
	var all, allScreens []time.Duration
	for _, l := range chosen {
		start := time.Now()
		if err := sp.Ready(ctx, l); err != nil {
			return fmt.Errorf("%s: %w", l, err)
		}
		cold := time.Since(start)
		mu.Lock()
		waits = waits[:0]
		mu.Unlock()
		for i := range *repeat {
			if err := sp.Say(ctx, l, keys[i%len(keys)]); err != nil {
				return fmt.Errorf("%s: %w", l, err)
			}
		}
		mu.Lock()
		got := slices.Clone(waits)
		mu.Unlock()
		all = append(all, got...)
		screens, err := screenToSound(ctx, sp, l, firsts)
		if err != nil {
			return fmt.Errorf("%s: %w", l, err)
		}
		allScreens = append(allScreens, screens...)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t\n", l, len(keys), cold.Round(time.Millisecond),
			(cold / time.Duration(len(keys))).Round(time.Millisecond), quantile(got, 0.5), quantile(got, 0.95),
			len(screens), quantile(screens, 0.5), quantile(screens, 0.95))
	}
	fmt.Fprintf(tw, "all\t\t\t\t%s\t%s\t%d\t%s\t%s\t\n", quantile(all, 0.5), quantile(all, 0.95),
		len(allScreens), quantile(allScreens, 0.5), quantile(allScreens, 0.95))
	return tw.Flush()
}

// firstByte is an utterance's first audio byte reaching the player.
type firstByte struct {
	key i18n.Key
	at  time.Time
}

// screenToSound shows every screen the session can publish to the kiosk's
// Narrator, as the UI does, and measures from the call to Show to the
// first audio byte of its first prompt reaching the player.
func screenToSound(ctx context.Context, sp guidance.Speaker, l i18n.Lang, firsts <-chan firstByte) ([]time.Duration, error) {
	n := guidance.NewNarrator(sp, guidance.NarratorOptions{})
	defer n.Close()
	var out []time.Duration
	for _, v := range guidance.Views() {
		keys := guidance.ForView(v)
		if len(keys) == 0 || v.State == session.StateIdle && v.Fault == session.ErrCodeNone {
			continue // the plain idle screen is silent
		}
		start := time.Now()
		n.Show(l, v)
		d, err := awaitFirstByte(ctx, keys[0], start, firsts)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", v.State, keys[0], err)
		}
		out = append(out, d)
		n.Hush()
		drain(firsts)
	}
	return out, nil
}

// awaitFirstByte waits for key's first byte after start.
func awaitFirstByte(ctx context.Context, key i18n.Key, start time.Time, firsts <-chan firstByte) (time.Duration, error) {
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f := <-firsts:
			if f.key == key && f.at.After(start) {
				return f.at.Sub(start), nil
			}
		case <-timeout:
			return 0, errors.New("no sound within 10 s")
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// drain lets a cut utterance end and forgets its sound.
func drain(firsts <-chan firstByte) {
	time.Sleep(20 * time.Millisecond)
	for {
		select {
		case <-firsts:
		default:
			return
		}
	}
}

// benchLanguages parses --langs, or lists every language with a voice.
func benchLanguages(list string, available func(i18n.Lang) bool) ([]i18n.Lang, error) {
	var out []i18n.Lang
	if list == "" {
		for _, l := range i18n.All() {
			if available(l.Code) {
				out = append(out, l.Code)
			}
		}
		return out, nil
	}
	for _, code := range strings.Split(list, ",") {
		l, err := i18n.Parse(strings.TrimSpace(code))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		if !available(l) {
			return nil, fmt.Errorf("%w: no voice for %s", ErrUsage, l)
		}
		out = append(out, l)
	}
	return out, nil
}

// quantile of durations, by the benches' one rule (percentile), rounded
// for printing.
func quantile(d []time.Duration, q float64) time.Duration {
	return percentile(d, q).Round(10 * time.Microsecond)
}
