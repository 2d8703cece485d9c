package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/face"
)

// FaceAdapter adapts the face engine (app/face) to the FaceEngine port. Its
// samples are app/face probes (embedding in locked memory, mesh, live
// scores), and its decision is app/face's Engine.Verify.
type FaceAdapter struct{ Engine *face.Engine }

var errForeignSample = errors.New("session: face sample from another engine")

// reasons maps the quality gate's reasons onto the session's guidance keys.
var reasons = map[face.Reason]Guidance{
	face.NoFace: GuidanceNoFace, face.MultipleFaces: GuidanceOnePerson,
	face.TooSmall: GuidanceCloser, face.TooClose: GuidanceFarther,
	face.TooDark: GuidanceLight, face.TooBright: GuidanceLight,
	face.Blurred: GuidanceStill, face.NotFacing: GuidanceFront,
	face.EyesNotVisible: GuidanceEyes, face.LowerFaceCovered: GuidanceMask,
}

// EmbedLive runs the strict gate on a live frame.
func (a FaceAdapter) EmbedLive(ctx context.Context, f *camera.Frame) (LiveFace, error) {
	p, reason, err := a.analyse(ctx, f, face.GateStrict)
	if err != nil || p == nil {
		return LiveFace{Guidance: reason}, err
	}
	return LiveFace{Sample: p}, nil
}

// EmbedPhoto embeds the card photo, which only needs a face.
func (a FaceAdapter) EmbedPhoto(ctx context.Context, f *camera.Frame) (FaceSample, error) {
	p, reason, err := a.analyse(ctx, f, face.GateFaceOnly)
	if err == nil && p == nil {
		err = fmt.Errorf("session: no usable face in the card photo (%s)", reason)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// analyse returns a probe with an embedding, or the guidance why not.
func (a FaceAdapter) analyse(ctx context.Context, f *camera.Frame, gate face.Gate) (*face.Probe, Guidance, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	img, err := face.FromFrame(f)
	if err != nil {
		return nil, "", err
	}
	defer img.Release()
	p, err := a.Engine.Analyse(img, gate)
	var qe *face.QualityError
	if errors.As(err, &qe) {
		p.Destroy()
		return nil, guidanceOf(qe.Reasons), nil
	}
	if err != nil {
		return nil, "", err
	}
	if p.Embedding == nil {
		p.Destroy()
		return nil, guidanceOf(p.Quality.Reasons), nil
	}
	return p, GuidanceNone, nil
}

// Verify is app/face's decision: fusion, threshold, presentation attacks.
func (a FaceAdapter) Verify(photo FaceSample, live []FaceSample) (FaceVerdict, error) {
	ref, ok := photo.(*face.Probe)
	if !ok || ref == nil {
		return FaceVerdict{}, errForeignSample
	}
	frames := make([]*face.Probe, 0, len(live))
	for _, s := range live {
		p, ok := s.(*face.Probe)
		if !ok || p == nil {
			return FaceVerdict{}, errForeignSample
		}
		frames = append(frames, p)
	}
	r, err := a.Engine.Verify(ref.Embedding, frames)
	if err != nil {
		return FaceVerdict{}, err
	}
	return FaceVerdict{Accepted: r.Accepted, Attack: r.Attack, NeedMotion: r.NeedMotion, Score: r.Score}, nil
}

func guidanceOf(rs []face.Reason) Guidance {
	if len(rs) == 0 {
		return GuidanceNoFace
	}
	if g, ok := reasons[rs[0]]; ok {
		return g
	}
	return GuidanceNoFace
}
