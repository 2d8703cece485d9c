package standin

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/secret"
	"github.com/uketsuke/uketsuke/app/session"
)

// Frames carry who is in them in pixel (0,0): R = person (0 = nobody),
// G = index into the guidance list (0 = a good frame).
var guidanceCodes = []session.Guidance{
	session.GuidanceNone, session.GuidanceNoFace, session.GuidanceCloser,
	session.GuidanceMask, session.GuidanceStill, session.GuidanceLight,
}

// GuidanceIndex returns the frame code for g, or 0.
func GuidanceIndex(g session.Guidance) byte {
	for i, x := range guidanceCodes {
		if x == g {
			return byte(i)
		}
	}
	return 0
}

// Scene is what the face camera sees; safe for concurrent use.
type Scene struct {
	person   atomic.Int32
	guidance atomic.Int32
}

// Show puts a person (1..255; 0 nobody) in front of the camera with a
// quality problem (GuidanceNone for a good frame).
func (s *Scene) Show(person byte, g session.Guidance) {
	s.person.Store(int32(person))
	s.guidance.Store(int32(GuidanceIndex(g)))
}

// Camera yields small frames of the scene at a fixed interval.
type Camera struct {
	Scene    *Scene
	Interval time.Duration
	closed   atomic.Bool
	next     time.Time
	mu       sync.Mutex
}

// Next waits for the next frame time.
func (c *Camera) Next(ctx context.Context) (*camera.Frame, error) {
	if c.closed.Load() {
		return nil, camera.ErrClosed
	}
	c.mu.Lock()
	wait := time.Until(c.next)
	c.next = time.Now().Add(max(wait, 0) + c.Interval)
	c.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f, err := camera.NewFrame(8, 8, time.Now())
	if err != nil {
		return nil, err
	}
	if c.Scene != nil {
		f.Image.Pix[0] = byte(c.Scene.person.Load())
		f.Image.Pix[1] = byte(c.Scene.guidance.Load())
	}
	return f, nil
}

// Close ends the source.
func (c *Camera) Close() error { c.closed.Store(true); return nil }

// KeyReader stands in for the card-face scanner: after Delay it returns the
// masked key it holds, or fails the first FailFirst scans.
type KeyReader struct {
	mu        sync.Mutex
	Key       []byte // masked 14 digits
	Delay     time.Duration
	FailFirst int
	Scans     int
}

// SetKey replaces the key the scanner reads (masked).
func (r *KeyReader) SetKey(masked []byte) {
	r.mu.Lock()
	r.Key = masked
	r.mu.Unlock()
}

var errUnreadable = errors.New("fake scanner: card face unreadable")

func (r *KeyReader) ReadKeyB(ctx context.Context, still *camera.Frame) (*secret.Buffer, error) {
	if err := sleep(ctx, r.Delay); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Scans++
	if r.Scans <= r.FailFirst || r.Key == nil {
		return nil, errUnreadable
	}
	out, err := secret.New(len(r.Key))
	if err != nil {
		return nil, err
	}
	unmask(out.Bytes(), r.Key)
	return out, nil
}

// Decoder turns the stand-in photo into a frame of its person.
type Decoder struct{ Delay time.Duration }

func (d Decoder) Decode(ctx context.Context, jp2 *secret.Buffer) (*camera.Frame, error) {
	if err := sleep(ctx, d.Delay); err != nil {
		return nil, err
	}
	if jp2.Len() == 0 {
		return nil, errUnreadable
	}
	f, err := camera.NewFrame(8, 8, time.Now())
	if err != nil {
		return nil, err
	}
	f.Image.Pix[0] = jp2.Bytes()[0]
	return f, nil
}

// Engine embeds a frame as its person's vector; two embeddings of the same
// person score Genuine, of different people Impostor, and the mean score of
// an attempt's samples must reach Threshold (0: 0.5).
type Engine struct {
	Delay             time.Duration
	Genuine, Impostor float64
	Threshold         float64
	Live, Photos      atomic.Int32 // embeddings made
}

const embeddingSize = 128

func (e *Engine) EmbedLive(ctx context.Context, f *camera.Frame) (session.LiveFace, error) {
	if err := sleep(ctx, e.Delay); err != nil {
		return session.LiveFace{}, err
	}
	person, g := f.Image.Pix[0], f.Image.Pix[1]
	if person == 0 {
		return session.LiveFace{Guidance: session.GuidanceNoFace}, nil
	}
	if int(g) < len(guidanceCodes) && g != 0 {
		return session.LiveFace{Guidance: guidanceCodes[g]}, nil
	}
	e.Live.Add(1)
	emb, err := embedding(person)
	return session.LiveFace{Sample: emb}, err
}

func (e *Engine) EmbedPhoto(ctx context.Context, f *camera.Frame) (session.FaceSample, error) {
	if err := sleep(ctx, e.Delay); err != nil {
		return nil, err
	}
	e.Photos.Add(1)
	return embedding(f.Image.Pix[0])
}

func embedding(person byte) (*secret.Buffer, error) {
	b, err := secret.New(embeddingSize)
	if err != nil {
		return nil, err
	}
	for i := range b.Bytes() {
		b.Bytes()[i] = person
	}
	return b, nil
}

var errDestroyed = errors.New("fake engine: embedding destroyed")

// Verify averages the samples' scores against the photo.
func (e *Engine) Verify(photo session.FaceSample, live []session.FaceSample) (session.FaceVerdict, error) {
	var sum float64
	for _, s := range live {
		sim, err := e.similarity(photo, s)
		if err != nil {
			return session.FaceVerdict{}, err
		}
		sum += sim
	}
	threshold := e.Threshold
	if threshold == 0 {
		threshold = 0.5
	}
	ok := len(live) > 0 && sum/float64(len(live)) >= threshold
	return session.FaceVerdict{Accepted: ok}, nil
}

func (e *Engine) similarity(a, b session.FaceSample) (float64, error) {
	p, okP := a.(*secret.Buffer)
	q, okQ := b.(*secret.Buffer)
	if !okP || !okQ {
		return 0, errDestroyed
	}
	x, y := p.Bytes(), q.Bytes()
	if len(x) != embeddingSize || len(y) != embeddingSize {
		return 0, errDestroyed
	}
	if x[0] == y[0] {
		return e.Genuine, nil
	}
	return e.Impostor, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
