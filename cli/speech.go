package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/uketsuke/uketsuke/app/guidance"
	"github.com/uketsuke/uketsuke/i18n"
	"github.com/uketsuke/uketsuke/wire"
)

func init() {
	Register(Command{Name: "speech bench", Summary: "measure voice guidance: cold render time per language, time to first audio byte when warm", Run: speechBench})
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
	sp, err := wire.NewSpeaker(wire.SpeakerOptions{Player: strings.Fields(*player), Rate: *rate, DoubtfulVoices: *doubtful,
		OnFirstByte: func(_ i18n.Lang, _ i18n.Key, d time.Duration) {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
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
	fmt.Fprintf(tw, "language\tprompts\tcold render\tper prompt\tfirst byte median\tp95\t\n")
	var all []time.Duration
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
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t\n", l, len(keys), cold.Round(time.Millisecond),
			(cold / time.Duration(len(keys))).Round(time.Millisecond), quantile(got, 0.5), quantile(got, 0.95))
	}
	fmt.Fprintf(tw, "all\t\t\t\t%s\t%s\t\n", quantile(all, 0.5), quantile(all, 0.95))
	return tw.Flush()
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

// quantile of durations (nearest rank), rounded for printing.
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)-1, int(q*float64(len(s))))
	return s[i].Round(10 * time.Microsecond)
}
