package session

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/secret"
)

// pipeline runs the two sides of the face match at once from card
// detection: the card side (card-face still → 照合番号B → face record →
// photo → embedding) and the camera side (frames → quality gate →
// embeddings). It matches as soon as both are ready, fusing the scores of
// the last few good frames.
type pipeline struct {
	s      *session
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	cardOK   chan struct{} // closed once the card is known to be a My Number Card
	cardOnce sync.Once
	photoOK  chan struct{} // closed once the photo's embedding is ready
	live     atomic.Bool   // the camera side embeds frames only while true
	attempts atomic.Int32  // face attempts begun: each shows its guidance afresh
	wake     chan struct{} // nudges a paused camera side

	mu      sync.Mutex
	photo   FaceSample // card photo's embedding
	window  []sample   // recent live samples, oldest first
	matched bool
	stopped bool
	refused bool // a refusal was reported as a stage (once a session)
}

type sample struct {
	face FaceSample
	at   time.Time
}

func newPipeline(s *session) *pipeline {
	ctx, cancel := context.WithCancel(s.ctx)
	p := &pipeline{s: s, ctx: ctx, cancel: cancel, cardOK: make(chan struct{}), photoOK: make(chan struct{}),
		wake: make(chan struct{}, 1)}
	p.live.Store(true)
	return p
}

func (p *pipeline) start() {
	p.run(p.cardSide)
	p.run(p.cameraSide)
}

func (p *pipeline) run(fn func()) {
	p.wg.Add(1)
	p.s.spawn(func() {
		defer p.wg.Done()
		fn()
	})
}

func (p *pipeline) cardIdentified() { p.cardOnce.Do(func() { close(p.cardOK) }) }

func (p *pipeline) setLive(on bool) {
	if on {
		p.attempts.Add(1)
	}
	p.live.Store(on)
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// stop cancels both sides; a session goroutine waits for them and destroys
// the embeddings, so the machine never blocks on a running inference.
func (p *pipeline) stop() {
	p.mu.Lock()
	already := p.stopped
	p.stopped = true
	p.mu.Unlock()
	if already {
		return
	}
	p.cancel()
	p.s.spawn(func() {
		p.wg.Wait()
		p.destroy()
	})
}

// destroy wipes every embedding; safe to call more than once.
func (p *pipeline) destroy() {
	p.mu.Lock()
	defer p.mu.Unlock()
	destroySample(p.photo)
	p.photo = nil
	for _, x := range p.window {
		x.face.Destroy()
	}
	p.window = nil
}

func (p *pipeline) fail(code ErrorCode) {
	if p.ctx.Err() == nil {
		p.s.post(Event{Kind: EvPhotoFailed, Code: code})
	}
}

// cardSide: 照合番号B from the card's face, then the signed photo, then its
// embedding. The card is touched only after it was identified; while the
// card face is read, warmUp uses the idle card.
func (p *pipeline) cardSide() {
	tries := p.warmUp()
	var key *secret.Buffer
	var code ErrorCode
	p.s.timed(stageScanKeyB, func() error {
		if key, code = p.scanKeyB(); key == nil {
			return errScan
		}
		return nil
	})
	if key == nil {
		p.fail(code)
		return
	}
	select {
	case <-p.cardOK:
	case <-p.ctx.Done():
		key.Destroy()
		return
	}
	if err := p.verifyKeyB(key, tries); err != nil {
		p.cardFailed(err, keyBCode(err))
		return
	}
	var jp2 *secret.Buffer
	err := p.s.timed(stageReadPhoto, func() (err error) { jp2, err = p.s.card.ReadPhoto(p.ctx); return })
	if err != nil {
		p.cardFailed(err, photoCode(err))
		return
	}
	if prep := p.s.prep.Load(); prep != nil {
		prep.decide(true) // the card is free for the PIN-less exchange
	}
	emb, code := p.embedPhoto(jp2)
	if emb == nil {
		p.fail(code)
		return
	}
	p.setPhoto(emb)
}

// counter is the 照合番号B tries left, read while the card face is scanned.
type counter struct {
	left int
	err  error
}

// warmUp reads the 照合番号B counter once the card is identified and starts
// the PIN-less preparation: both use the card while the card face is still
// being read, which leaves the card idle otherwise.
func (p *pipeline) warmUp() <-chan counter {
	out := make(chan counter, 1)
	p.run(func() {
		select {
		case <-p.cardOK:
		case <-p.ctx.Done():
			out <- counter{err: p.ctx.Err()}
			return
		}
		if p.s.canPrepare() {
			// First, while Detect left JPKI-AP selected: the card keeps the
			// certificate for the preparation, and the 照合番号B counter read
			// next leaves 券面AP and its EF selected for the VERIFY.
			p.s.card.AuthCertificate(p.ctx)
		}
		left, err := p.s.card.KeyBTriesLeft(p.ctx)
		// Started before the counter is handed over, so the card side finds
		// the preparation when it has read the photo, however fast that is.
		p.s.preparePinless()
		out <- counter{left, err}
	})
	return out
}

var (
	errScan     = errors.New("session: card face not read")
	errLowTries = errors.New("session: too few 照合番号B tries left to risk one")
)

// verifyKeyB spends a 照合番号B try only when the card can afford it: it
// takes the tries left read beforehand (without using one), leaves the card
// to staff below the configured margin, and remembers a refused code so
// that a second misread of the same card is never sent.
func (p *pipeline) verifyKeyB(key *secret.Buffer, tries <-chan counter) error {
	defer key.Destroy()
	var c counter
	select {
	case c = <-tries:
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
	if c.err != nil {
		return c.err
	}
	if c.left < p.s.settings.KeyBMinTries {
		return errLowTries
	}
	err := p.s.timed(stageVerifyKeyB, func() error { return p.s.card.VerifyKeyB(p.ctx, key) })
	var wrong *WrongCredentialError
	if errors.As(err, &wrong) {
		p.s.k.refused.add(key)
	}
	return err
}

func (p *pipeline) cardFailed(err error, code ErrorCode) {
	if errors.Is(err, ErrCardRemoved) && p.ctx.Err() == nil {
		p.s.post(Event{Kind: EvCardRemoved})
		return
	}
	p.fail(code)
}

func keyBCode(err error) ErrorCode {
	var wrong *WrongCredentialError
	switch {
	case errors.Is(err, errLowTries):
		return ErrCodeKeyBLowTries
	case errors.Is(err, ErrBlocked), errors.As(err, &wrong) && wrong.Left == 0:
		return ErrCodeKeyBBlocked
	case errors.As(err, &wrong):
		return ErrCodeKeyBRejected
	}
	return ErrCodeCardError
}

func photoCode(err error) ErrorCode {
	if errors.Is(err, ErrRecordInvalid) {
		return ErrCodeRecordInvalid
	}
	return ErrCodeCardError
}

// scanKeyB tries a few stills of the card's face until one reads.
func (p *pipeline) scanKeyB() (*secret.Buffer, ErrorCode) {
	dev := p.s.k.dev
	for range p.s.settings.CardScanAttempts {
		still, err := dev.CardCamera.Next(p.ctx)
		if errors.Is(err, secret.ErrLockLimit) {
			return nil, ErrCodeCardError
		} else if err != nil {
			return nil, ErrCodeCamera
		}
		var key *secret.Buffer
		perr := p.s.k.pool.Do(p.ctx, func() { key, err = dev.KeyReader.ReadKeyB(p.ctx, still) })
		still.Release()
		if perr != nil || p.ctx.Err() != nil {
			key.Destroy()
			return nil, ErrCodeCancelled
		}
		if err == nil && key.Len() == 14 && !p.s.k.refused.has(key) {
			return key, ErrCodeNone
		}
		key.Destroy()
		if errors.Is(err, secret.ErrLockLimit) {
			return nil, ErrCodeCardError // another still would not fit either
		}
	}
	return nil, ErrCodeCardFace
}

func (p *pipeline) embedPhoto(jp2 *secret.Buffer) (FaceSample, ErrorCode) {
	dev := p.s.k.dev
	var img *camera.Frame
	var err error
	perr := p.s.k.pool.Do(p.ctx, func() {
		err = p.s.timed(stageDecode, func() (err error) { img, err = dev.Decoder.Decode(p.ctx, jp2); return })
	})
	jp2.Destroy()
	if errors.Is(err, secret.ErrLockLimit) {
		return nil, ErrCodeFaceEngine // the kiosk's memory, not the card's record
	}
	if perr != nil || err != nil {
		img.Release()
		return nil, ErrCodeRecordInvalid
	}
	var emb FaceSample
	perr = p.s.k.pool.Do(p.ctx, func() {
		err = p.s.timed(stageEmbedPhoto, func() (err error) { emb, err = dev.Face.EmbedPhoto(p.ctx, img); return })
	})
	img.Release()
	if perr != nil || err != nil {
		destroySample(emb)
		return nil, ErrCodeFaceEngine
	}
	return emb, ErrCodeNone
}

// destroySample wipes a sample an engine may have returned as nil.
func destroySample(s FaceSample) {
	if s != nil {
		s.Destroy()
	}
}

func (p *pipeline) setPhoto(emb FaceSample) {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		destroySample(emb)
		return
	}
	p.photo = emb
	p.mu.Unlock()
	close(p.photoOK)
	p.s.post(Event{Kind: EvPhotoReady})
	p.tryMatch()
}

// cameraSide embeds live frames while the patient may be matched and
// reports the quality gate's guidance when it changes.
func (p *pipeline) cameraSide() {
	last, attempt := Guidance("unset"), int32(0)
	for p.ctx.Err() == nil && !p.isMatched() {
		if a := p.attempts.Load(); a != attempt {
			// A new attempt clears the screen's guidance (startFace): report
			// the next frame's even if it is the same as before.
			last, attempt = Guidance("unset"), a
		}
		if !p.live.Load() {
			select {
			case <-p.wake:
			case <-p.ctx.Done():
			}
			continue
		}
		if p.yieldToCardSide() {
			continue
		}
		lf, code := p.embedFrame()
		if code != ErrCodeNone {
			p.fail(code)
			return
		}
		if lf.Guidance != last {
			last = lf.Guidance
			p.s.post(Event{Kind: EvGuidance, Guidance: lf.Guidance})
		}
		if lf.Sample != nil {
			p.addSample(lf.Sample)
			p.tryMatch()
		}
	}
}

// yieldToCardSide pauses the camera while it already holds enough fresh
// frames and the photo is not ready: the card side (OCR, decoding, the
// photo's embedding) is then the critical path, and extra frames would only
// take its CPU. It waits for the photo or until the window's oldest frame is
// half-way to expiry, and reports whether it waited.
func (p *pipeline) yieldToCardSide() bool {
	p.mu.Lock()
	full := p.photo == nil && len(p.window) >= p.s.settings.FusionFrames
	var wait time.Duration
	if full {
		wait = p.s.settings.FusionWindow/2 - time.Since(p.window[0].at)
	}
	p.mu.Unlock()
	if !full || wait <= 0 {
		return false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-p.photoOK:
	case <-t.C:
	case <-p.ctx.Done():
	}
	return true
}

func (p *pipeline) embedFrame() (LiveFace, ErrorCode) {
	dev := p.s.k.dev
	f, err := dev.FaceCamera.Next(p.ctx)
	if err != nil {
		if p.ctx.Err() != nil {
			return LiveFace{}, ErrCodeCancelled
		}
		return LiveFace{}, ErrCodeCamera
	}
	var lf LiveFace
	perr := p.s.k.pool.Do(p.ctx, func() { lf, err = dev.Face.EmbedLive(p.ctx, f) })
	f.Release()
	if perr != nil {
		destroySample(lf.Sample)
		return LiveFace{}, ErrCodeCancelled
	}
	if err != nil {
		destroySample(lf.Sample)
		return LiveFace{}, ErrCodeFaceEngine
	}
	return lf, ErrCodeNone
}

func (p *pipeline) addSample(s FaceSample) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		s.Destroy()
		return
	}
	p.window = append(p.window, sample{face: s, at: time.Now()})
	p.trim()
}

// trim keeps the newest FusionFrames samples within FusionWindow.
func (p *pipeline) trim() {
	cut := time.Now().Add(-p.s.settings.FusionWindow)
	keep := p.window[:0]
	excess := len(p.window) - p.s.settings.FusionFrames
	for i, x := range p.window {
		if i < excess || x.at.Before(cut) {
			x.face.Destroy()
			continue
		}
		keep = append(keep, x)
	}
	clear(p.window[len(keep):])
	p.window = keep
}

func (p *pipeline) isMatched() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.matched
}

// tryMatch asks the face engine to decide on the window's samples once it
// holds FusionFrames of them: the engine fuses them against the photo and
// runs its presentation-attack checks, so one lucky frame cannot pass alone.
func (p *pipeline) tryMatch() {
	p.mu.Lock()
	verdict, decided := p.decide()
	p.mu.Unlock()
	switch {
	case verdict.Accepted:
		p.s.post(Event{Kind: EvFaceMatched})
	case decided && (verdict.Attack || verdict.NeedMotion):
		p.s.post(Event{Kind: EvGuidance, Guidance: GuidanceNotLive})
	}
}

func (p *pipeline) decide() (FaceVerdict, bool) {
	if p.matched || p.stopped || p.photo == nil {
		return FaceVerdict{}, false
	}
	p.trim()
	if len(p.window) < p.s.settings.FusionFrames {
		return FaceVerdict{}, false
	}
	live := make([]FaceSample, len(p.window))
	for i, x := range p.window {
		live[i] = x.face
	}
	start := time.Now()
	v, err := p.s.k.dev.Face.Verify(p.photo, live)
	if err != nil {
		return FaceVerdict{}, false
	}
	// The decision that let the patient through (fusion over the window
	// against the chip photo, and the presentation-attack checks), or the
	// first that did not, with its score.
	if v.Accepted || !p.refused {
		p.refused = p.refused || !v.Accepted
		p.s.stage(Stage{Name: stageMatch, Took: time.Since(start), OK: v.Accepted, Score: v.Score})
	}
	p.matched = v.Accepted
	return v, true
}
