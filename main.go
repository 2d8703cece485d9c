// Command uketsuke is the face-authentication card reader kiosk. With no
// arguments it runs the kiosk; with a subcommand it runs that tool. This is
// the only package that imports fyne.io/fyne/v2/app, so that everything else
// builds and tests without OpenGL.
package main

import (
	"os"

	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/uketsuke/uketsuke/cli"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(cli.Main(os.Args[1:]))
	}
	os.Exit(runKiosk())
}

func runKiosk() int {
	a := app.NewWithID("jp.uketsuke.kiosk")
	w := a.NewWindow("uketsuke")
	w.SetContent(widget.NewLabel("uketsuke"))
	w.ShowAndRun()
	return 0
}
