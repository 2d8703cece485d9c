package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/uketsuke/uketsuke/hardware/facemodel"
)

func init() {
	Register(Command{
		Name:    "face convert",
		Summary: "convert the npm-packed face models to ONNX (build/models)",
		Run:     runFaceConvert,
	})
}

func runFaceConvert(_ context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("face convert", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	npmDir := fs.String("npm", "build/npm", "directory with the extracted npm packs (human-models/, face-api/)")
	outDir := fs.String("out", "build/models", "directory for the ONNX files and models.json")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	man, err := facemodel.ConvertAll(*npmDir, *outDir)
	if err != nil {
		return err
	}
	for _, m := range man.Models {
		note := ""
		if m.Broken {
			note = "  (broken upstream: never use)"
		}
		fmt.Fprintf(env.Stdout, "%-14s %s%s\n", m.Name, filepath.Join(*outDir, m.File), note)
	}
	fmt.Fprintf(env.Stdout, "wrote %s\n", filepath.Join(*outDir, "models.json"))
	return nil
}
