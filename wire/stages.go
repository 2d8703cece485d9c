package wire

import (
	"path/filepath"
	"strings"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/sim/world"
)

// PartOf names the part that did a session stage (session.Stage.Name, with
// or without its "stage." prefix), as the world was built: "tesseract",
// "onnx:dlib_resnet", the eligibility service's address, the card's way.
func (w *World) PartOf(stage string) string {
	p := w.Config.Parts
	switch strings.TrimPrefix(stage, "stage.") {
	case "scan_keyb":
		if p.OCR.Kind == config.KindStandIn {
			return "stand-in"
		}
		return string(p.OCR.Kind)
	case "decode_photo":
		if p.FaceEngine.Kind == config.KindStandIn {
			return "openjpeg+tag"
		}
		return "openjpeg"
	case "embed_photo", "match":
		if p.FaceEngine.Kind != config.KindONNX {
			return "stand-in"
		}
		name := "onnx"
		if cfg, err := FaceConfig(w.Config); err == nil {
			name += ":" + strings.TrimSuffix(filepath.Base(cfg.Embedder.File), filepath.Ext(cfg.Embedder.File))
		}
		return name
	case "eligibility", "register", "consent":
		if w.Sim != nil {
			return w.Sim.ServiceURL()
		}
		return p.Eligibility.URL
	}
	switch {
	case w.Sim == nil:
		return "pcsc"
	case p.World != nil && p.World.Transport == world.TransportPCSC:
		return "vcard:pcscd+vpcd"
	}
	return "vcard:inprocess"
}
