package visits

import (
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// pageTemplate lists the registered records. html/template escapes every
// value for its context; the page loads nothing from elsewhere.
var pageTemplate = template.Must(template.New("visits").Parse(`<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>受診記録 — uketsuke visit-history stand-in</title>
<style>
body{font-family:sans-serif;margin:1.5em}
table{border-collapse:collapse}
th,td{border:1px solid #999;padding:.25em .6em;text-align:left}
th{background:#eee}
td.n{text-align:right}
</style></head><body>
<h1>受診記録 (visit records)</h1>
<p id="count">{{len .}} record(s)</p>
<table id="visits">
<thead><tr><th>受信 received</th><th>受付 visited</th><th>医療機関 facility</th><th>端末 kiosk</th><th>認証 auth</th><th>診療科 department</th><th>受付番号 reception</th><th>資格確認 eligibility result</th><th>変換コード code</th><th>ID</th></tr></thead>
<tbody>
{{range .}}<tr><td>{{.Received}}</td><td>{{.Visited}}</td><td>{{.Facility}}</td><td>{{.Kiosk}}</td><td>{{.Auth}}</td><td>{{.Department}}</td><td class="n">{{.Reception}}</td><td>{{.Eligibility}}</td><td>{{.Code}}</td><td>{{.ID}}</td></tr>
{{end}}</tbody></table>
</body></html>
`))

// pageRow is one record as the page shows it. The converted code is cut
// to its key id and first six bytes: enough to see visits of one card.
type pageRow struct {
	Received, Visited, Facility, Kiosk, Auth, Department string
	Reception                                            string
	Eligibility, Code, ID                                string
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	regs, err := list(r.Context(), s.db, maxList)
	if err != nil {
		s.cfg.Log.Warn("visits: page failed", "err", err)
		http.Error(w, "could not list the records", http.StatusInternalServerError)
		return
	}
	rows := make([]pageRow, 0, len(regs))
	for i := len(regs) - 1; i >= 0; i-- { // newest first
		g := regs[i]
		rec := g.Record
		reception := "—"
		if rec.Reception > 0 {
			reception = strconv.Itoa(rec.Reception)
		}
		rows = append(rows, pageRow{
			Received: g.Received.Format(time.DateTime), Visited: rec.Time.Format("2006-01-02 15:04:05 -07:00"),
			Facility: rec.Facility, Kiosk: rec.Kiosk, Auth: string(rec.Auth), Department: string(rec.Department),
			Reception: reception, Eligibility: rec.EligibilityResult,
			Code: rec.Code.KeyID + ":" + hex.EncodeToString(rec.Code.Sum[:6]) + "…", ID: rec.ID.String(),
		})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTemplate.Execute(w, rows); err != nil {
		s.cfg.Log.Warn("visits: page render failed", "err", err)
	}
}
