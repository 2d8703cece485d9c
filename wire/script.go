package wire

import (
	"errors"

	"github.com/uketsuke/uketsuke/app/session"
	simreception "github.com/uketsuke/uketsuke/sim/reception"
	"github.com/uketsuke/uketsuke/sim/scenario"
	"github.com/uketsuke/uketsuke/sim/standin"
)

// ErrNotSimulated means a script asked for a world that has no simulated
// surroundings to drive.
var ErrNotSimulated = errors.New("wire: the configuration has no simulated world to script")

// Script is the world as sim/scenario drives it: this world's devices, and
// the simulated surroundings' card, camera and service.
func (w *World) Script() (scenario.World, error) {
	if w.Sim == nil {
		return nil, ErrNotSimulated
	}
	return scripted{w}, nil
}

type scripted struct{ w *World }

func (s scripted) Devices() session.Devices { return s.w.Devices }

func (s scripted) NewCard(h scenario.Holder) (scenario.Card, error) { return s.w.Sim.NewCard(h) }

func (s scripted) ShowFace(who string, problem session.Guidance) { s.w.Sim.ShowFace(who, problem) }

func (s scripted) SetService(svc scenario.Service) { s.w.Sim.SetService(svc) }

func (s scripted) PIN() []byte { return s.w.Sim.PIN() }

// StandIns builds the world in which every port is a stand-in, with no
// card stack and no service at all: the fastest check of the session's
// logic (`uketsuke simulate --world stand-in`).
func StandIns(fast bool) scenario.World {
	if fast {
		return scenario.NewFakeWorld(standin.Fast)
	}
	return scenario.NewFakeWorld(standin.Realistic)
}

// Clinic is a reception system (sim/reception) on this world's 連携 folder,
// writing its requests in the configured encoding.
func (w *World) Clinic() (*simreception.Clinic, error) {
	if w.Sim == nil {
		return nil, ErrNotSimulated
	}
	return simreception.NewClinic(w.Config.Parts.Results.Dir, w.encoding)
}
