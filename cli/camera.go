package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uketsuke/uketsuke/hardware/camera"
)

func init() {
	Register(Command{Name: "camera list", Summary: "list V4L2 cameras with the identity an allow-list rule matches", Run: runCameraList})
}

// runCameraList shows staff what to put in the camera allow-list: one rule
// per line, in the configuration's JSON form.
func runCameraList(_ context.Context, env *Env, args []string) error {
	fs := newFlags("camera list", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ids, err := camera.List()
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		fmt.Fprintln(env.Stdout, "no cameras")
		return nil
	}
	enc := json.NewEncoder(env.Stdout)
	for _, id := range ids {
		rule := camera.Rule{Path: id.Path, Driver: id.Driver, Card: id.Card, BusInfo: id.BusInfo}
		if err := enc.Encode(rule); err != nil {
			return err
		}
	}
	return nil
}
