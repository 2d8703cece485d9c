package console

import (
	"embed"
	"mime"
	"net/http"
	"path"

	"github.com/uketsuke/uketsuke/app/operator"
)

// The page: HTML, CSS and plain JavaScript, embedded; nothing from outside
// (the Content-Security-Policy allows only this origin).
//
//go:embed page
var pageFiles embed.FS

func (s *Server) page(name string) handler {
	data, err := pageFiles.ReadFile("page/" + name)
	if err != nil {
		panic("console: the page's " + name + " is not embedded")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".js" {
		ctype = "text/javascript; charset=utf-8"
	}
	return func(w http.ResponseWriter, _ *http.Request, _ operator.Operator) {
		w.Header().Set("Content-Type", ctype)
		w.Write(data)
	}
}
