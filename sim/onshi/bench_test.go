package onshi

import (
	"testing"
	"time"
)

// Every bench mode runs clean against a real service: a regression here
// would show as errors in the figures.
func TestBenchModesRunWithoutErrors(t *testing.T) {
	e := newEnv(t, 300)
	for _, mode := range []string{BenchInsurance, BenchPIN, BenchPinless, BenchMixed} {
		r, err := Bench(bg, BenchConfig{URL: e.url, PKI: e.pki, Kiosks: 3, Duration: 300 * time.Millisecond,
			Mode: mode, Cards: 2, CardCA: e.jlis.JPKIAuthCA, CardKey: e.jlis.JPKIAuthCAKey,
			InstitutionCA: &e.inst.CAKey.PublicKey, Pop: e.pop, Rate: 30})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if r.Errors != 0 || r.Checks == 0 {
			t.Fatalf("%s: %v", mode, r)
		}
	}
}

func TestBenchRefusesARemoteService(t *testing.T) {
	for _, u := range []string{"https://192.0.2.1:8443", "https://example.org", "http://127.0.0.1:1"} {
		if CheckLoopback(u) == nil {
			t.Fatalf("%s accepted", u)
		}
	}
	for _, u := range []string{"https://127.0.0.1:8443", "https://[::1]:8443", "https://localhost:1"} {
		if err := CheckLoopback(u); err != nil {
			t.Fatalf("%s refused: %v", u, err)
		}
	}
}
