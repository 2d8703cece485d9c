package visits

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/revisit"
)

// FuzzDecodeRequest: whatever a client sends, decoding answers with a
// record or a 4xx status, never panics, and an accepted record is valid
// and reads back to itself from its own JSON form.
func FuzzDecodeRequest(f *testing.F) {
	c := revisit.Code{KeyID: "k1"}
	good, _ := revisit.NewVisitRecord(revisit.VisitRecord{Facility: "1312345678", Kiosk: "k",
		Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Code: c, Auth: revisit.AuthPIN, Reception: 1})
	c.Sum[0] = 1
	good.Code = c
	body, _ := json.Marshal(good)
	f.Add(body)
	f.Add([]byte(`{"v":1}`))
	f.Add([]byte(`{"v":1,"id":"00000000000000000000000000000000","time":"2026-01-02T03:04:05.000000+09:00"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"v":1,"v":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		req := httptest.NewRequest(http.MethodPost, revisit.VisitPath, bytes.NewReader(data))
		req.Header.Set("Content-Type", "application/json")
		rec, status, err := DecodeRequest(httptest.NewRecorder(), req)
		if err != nil {
			if status < 400 || status > 499 {
				t.Fatalf("refusal with status %d", status)
			}
			return
		}
		if err := rec.Validate(); err != nil {
			t.Fatalf("accepted an invalid record: %v", err)
		}
		again, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		back, err := revisit.ParseVisitRecord(again)
		if err != nil || back.ID != rec.ID || back.Code != rec.Code || !back.Time.Equal(rec.Time) {
			t.Fatalf("an accepted record does not read back: %v", err)
		}
	})
}
