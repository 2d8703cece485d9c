// Command convert is the set-up's entry point to the face-model converter:
// `make models` runs it before the kiosk binary is built. It does exactly
// what `uketsuke face convert` does.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/uketsuke/uketsuke/hardware/facemodel"
)

func main() {
	npmDir := flag.String("npm", "build/npm", "directory with the extracted npm packs")
	outDir := flag.String("out", "build/models", "directory for the ONNX files and models.json")
	flag.Parse()
	man, err := facemodel.ConvertAll(*npmDir, *outDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "face model conversion:", err)
		os.Exit(1)
	}
	fmt.Printf("converted %d face models into %s\n", len(man.Models), *outDir)
}
