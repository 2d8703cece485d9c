package session

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/uketsuke/uketsuke/app/camera"
	"github.com/uketsuke/uketsuke/app/face"
	"github.com/uketsuke/uketsuke/app/secret"
)

// FaceAdapter adapts the face engine (app/face) to the FaceEngine port.
// Embeddings cross the port as little-endian float32 in locked memory.
type FaceAdapter struct{ Engine *face.Engine }

var errEmbedding = errors.New("session: embedding has the wrong size")

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
	emb, reason, err := a.embed(ctx, f, face.GateStrict)
	if err != nil {
		return LiveFace{}, err
	}
	if emb == nil {
		return LiveFace{Guidance: reason}, nil
	}
	return LiveFace{Embedding: emb}, nil
}

// EmbedPhoto embeds the card photo, which only needs a face.
func (a FaceAdapter) EmbedPhoto(ctx context.Context, f *camera.Frame) (*secret.Buffer, error) {
	emb, reason, err := a.embed(ctx, f, face.GateFaceOnly)
	if err == nil && emb == nil {
		err = fmt.Errorf("session: no usable face in the card photo (%s)", reason)
	}
	return emb, err
}

func (a FaceAdapter) embed(ctx context.Context, f *camera.Frame, gate face.Gate) (*secret.Buffer, Guidance, error) {
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
		if p != nil {
			p.Destroy()
		}
		return nil, guidanceOf(qe.Reasons), nil
	}
	if err != nil {
		return nil, "", err
	}
	defer p.Destroy()
	if p.Embedding == nil {
		return nil, guidanceOf(p.Quality.Reasons), nil
	}
	return toBuffer(p.Embedding.Vector()), GuidanceNone, nil
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

func toBuffer(v []float32) *secret.Buffer {
	b := secret.New(4 * len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b.Bytes()[4*i:], math.Float32bits(x))
	}
	return b
}

// Similarity is the cosine of two L2-normalised embeddings.
func (a FaceAdapter) Similarity(x, y *secret.Buffer) (float64, error) {
	p, q := x.Bytes(), y.Bytes()
	if len(p) != len(q) || len(p) == 0 || len(p)%4 != 0 {
		return 0, errEmbedding
	}
	var dot float64
	for i := 0; i < len(p); i += 4 {
		dot += float64(math.Float32frombits(binary.LittleEndian.Uint32(p[i:]))) *
			float64(math.Float32frombits(binary.LittleEndian.Uint32(q[i:])))
	}
	return dot, nil
}
