package speech

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/uketsuke/uketsuke/i18n"
)

// Options configure a Speaker.
type Options struct {
	Engine  Engine
	Player  Player        // nil: Discard
	Catalog *i18n.Catalog // the words, with the facility's overrides
	// Keys are the prompts rendered ahead of time (guidance.Keys()).
	Keys []i18n.Key
	// Volume is the loudness in percent of the engine's level, 1–100;
	// 0: 100 (a kiosk with the volume at 0 builds no speaker).
	Volume int
	// OnFirstByte, when set, is told how long each Say took from the
	// request to the player's first byte.
	OnFirstByte func(lang i18n.Lang, key i18n.Key, d time.Duration)
}

// Speaker says catalogue messages: app/guidance's Speaker port. It keeps
// rendered prompts for the default language and the patient's current one;
// Warm fills a language's cache in the background.
type Speaker struct {
	o Options

	mu      sync.Mutex
	cache   map[i18n.Lang]map[i18n.Key]*rendering
	warming map[i18n.Lang]context.CancelFunc
	stop    context.CancelFunc // cuts the utterance being played
	base    context.Context
	closeFn context.CancelFunc
	wg      sync.WaitGroup
}

// rendering is one prompt's sound, rendered once however many ask.
type rendering struct {
	done chan struct{}
	wav  []byte
	err  error
}

// NewSpeaker returns a Speaker; nothing is rendered until Warm or Say.
func NewSpeaker(o Options) (*Speaker, error) {
	if o.Engine == nil || o.Catalog == nil {
		return nil, errors.New("speech: a speaker needs an engine and a catalogue")
	}
	if o.Player == nil {
		o.Player = Discard{}
	}
	base, cancel := context.WithCancel(context.Background())
	return &Speaker{o: o, cache: map[i18n.Lang]map[i18n.Key]*rendering{},
		warming: map[i18n.Lang]context.CancelFunc{}, base: base, closeFn: cancel}, nil
}

// Available reports whether the engine has a voice for lang.
func (s *Speaker) Available(lang i18n.Lang) bool {
	_, ok := s.o.Engine.Voice(lang)
	return ok
}

// Warm renders every prompt of lang in the background, at start and when
// the patient picks a language, so Say finds them ready. Languages other
// than lang and the default one leave the cache.
func (s *Speaker) Warm(lang i18n.Lang) {
	if !s.Available(lang) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for l, cancel := range s.warming {
		if l != lang && l != i18n.Default {
			cancel()
			delete(s.warming, l)
			delete(s.cache, l)
		}
	}
	if _, busy := s.warming[lang]; busy {
		return
	}
	ctx, cancel := context.WithCancel(s.base)
	s.warming[lang] = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for _, k := range s.o.Keys {
			if ctx.Err() != nil {
				return
			}
			_, _ = s.render(ctx, lang, k) // an error stays in the cache for Say to report
		}
	}()
}

// Ready waits until every prompt of lang is rendered and returns the first
// error met, or ctx's.
func (s *Speaker) Ready(ctx context.Context, lang i18n.Lang) error {
	var first error
	for _, k := range s.o.Keys {
		if _, err := s.render(ctx, lang, k); err != nil && first == nil {
			first = err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return first
}

// Sound returns the rendered WAV of key in lang, rendering it if needed.
func (s *Speaker) Sound(ctx context.Context, lang i18n.Lang, key i18n.Key) ([]byte, error) {
	return s.render(ctx, lang, key)
}

// render returns the cached sound or renders it once.
func (s *Speaker) render(ctx context.Context, lang i18n.Lang, key i18n.Key) ([]byte, error) {
	voice, ok := s.o.Engine.Voice(lang)
	if !ok {
		return nil, ErrNoVoice
	}
	s.mu.Lock()
	byKey := s.cache[lang]
	if byKey == nil {
		byKey = map[i18n.Key]*rendering{}
		s.cache[lang] = byKey
	}
	r, found := byKey[key]
	if !found {
		r = &rendering{done: make(chan struct{})}
		byKey[key] = r
	}
	cat := s.o.Catalog
	s.mu.Unlock()
	if !found {
		text, ok := cat.Reading(lang, key)
		if !ok {
			r.err = ErrNoText
		} else {
			// Rendering outlives the caller's ctx: others may wait on it.
			r.wav, r.err = s.o.Engine.Render(s.base, voice, text)
			if r.err == nil && s.o.Volume > 0 {
				r.wav = scaleVolume(r.wav, s.o.Volume)
			}
		}
		if r.err != nil {
			s.forget(lang, key, r)
		}
		close(r.done)
	}
	select {
	case <-r.done:
		return r.wav, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// forget drops a failed rendering so that a later Say tries again.
func (s *Speaker) forget(lang i18n.Lang, key i18n.Key, r *rendering) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache[lang][key] == r {
		delete(s.cache[lang], key)
	}
}

// Say speaks key in lang and returns when it has been played, Stop cut it
// short (context.Canceled) or ctx ended. A new Say cuts the one playing.
func (s *Speaker) Say(ctx context.Context, lang i18n.Lang, key i18n.Key) error {
	start := time.Now()
	s.Stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	s.stop = cancel
	s.mu.Unlock()
	wav, err := s.render(ctx, lang, key)
	if err != nil {
		return err
	}
	var firstByte func()
	if s.o.OnFirstByte != nil {
		firstByte = func() { s.o.OnFirstByte(lang, key, time.Since(start)) }
	}
	return s.o.Player.Play(ctx, wav, firstByte)
}

// UseCatalog changes the words (the facility's wording changed from the
// console): every rendering is dropped, the background work stops, and
// what is asked next is rendered from cat. Call Warm again for the
// languages wanted ahead of time.
func (s *Speaker) UseCatalog(cat *i18n.Catalog) {
	if cat == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for l, cancel := range s.warming {
		cancel()
		delete(s.warming, l)
	}
	s.o.Catalog = cat
	s.cache = map[i18n.Lang]map[i18n.Key]*rendering{}
}

// Stop cuts the utterance being played, if any.
func (s *Speaker) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// Close stops speaking and rendering and waits for the background work.
func (s *Speaker) Close() {
	s.Stop()
	s.closeFn()
	s.wg.Wait()
}
