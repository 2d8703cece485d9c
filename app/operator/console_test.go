package operator_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uketsuke/uketsuke/app/audit"
	"github.com/uketsuke/uketsuke/app/operator"
)

func consoleRig(t *testing.T) (*operator.Authenticator, *clock, func() string) {
	t.Helper()
	dir := t.TempDir()
	log, err := audit.Open(audit.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	c := &clock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	a, err := operator.New(operator.Config{Operators: []operator.Operator{
		{ID: "reception.a", Name: "受付 一", Role: operator.RoleReception, Fingerprint: operator.Fingerprint{1}, Console: operator.Fingerprint{11}},
		{ID: "admin.b", Name: "管理 二", Role: operator.RoleAdministrator, Fingerprint: operator.Fingerprint{2}, Console: operator.Fingerprint{12}},
		{ID: "card.only", Name: "カード 三", Role: operator.RoleAdministrator, Fingerprint: operator.Fingerprint{3}},
	}, Log: log, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return a, c, func() string {
		data, err := os.ReadFile(filepath.Join(dir, audit.OperationFile))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
}

func TestTheConsoleKnowsOperatorsByTheirConsoleCertificate(t *testing.T) {
	a, clock, records := consoleRig(t)
	if a.ConsoleOperators() != 2 {
		t.Errorf("%d console operators", a.ConsoleOperators())
	}
	if op, err := a.ConsoleUse(operator.Fingerprint{11}, operator.FuncVisualCheck); err != nil || op.ID != "reception.a" {
		t.Errorf("reception's visual check: %+v %v", op, err)
	}
	if _, err := a.ConsoleUse(operator.Fingerprint{11}, operator.FuncApplySettings); !errors.Is(err, operator.ErrNotAllowed) {
		t.Errorf("reception's settings: %v", err)
	}
	if _, err := a.ConsoleUse(operator.Fingerprint{12}, operator.FuncDownloadLogs); err != nil {
		t.Errorf("the administrator's logs: %v", err)
	}
	// A card's certificate is not a console certificate.
	for _, fp := range []operator.Fingerprint{{1}, {3}, {99}} {
		if _, err := a.ConsoleUse(fp, operator.FuncViewStatus); !errors.Is(err, operator.ErrNotRegistered) {
			t.Errorf("%x: %v", fp[0], err)
		}
	}
	for range 5 { // a polling page
		a.ConsoleUse(operator.Fingerprint{11}, operator.FuncViewStatus)
		a.ConsoleUse(operator.Fingerprint{99}, operator.FuncViewStatus)
	}
	log := records()
	for want, n := range map[string]int{
		`"operator":"reception.a","role":"reception","function":"visual_check","result":"ok","channel":"console"`:            1,
		`"operator":"reception.a","role":"reception","function":"apply_settings","result":"not_allowed","channel":"console"`: 1,
		`"operator":"admin.b","role":"administrator","function":"download_logs","result":"ok","channel":"console"`:           1,
		`"operator":"unregistered","role":"none","function":"view_status","result":"not_registered","channel":"console"`:     3,
		`"function":"view_status","result":"ok"`: 0,
	} {
		if got := strings.Count(log, want); got != n {
			t.Errorf("%d records %s, want %d", got, want, n)
		}
	}
	// After a quiet minute the same refusal is recorded again.
	clock.t = clock.t.Add(time.Minute)
	a.ConsoleUse(operator.Fingerprint{99}, operator.FuncViewStatus)
	if got := strings.Count(records(), `"result":"not_registered","channel":"console"`); got != 4 {
		t.Errorf("%d refusals on record, want 4", got)
	}
	if strings.Contains(log, "受付") || strings.Contains(log, "管理") {
		t.Error("a name reached the log")
	}
}

func TestAConsoleCertificateIsRegisteredOnce(t *testing.T) {
	for name, ops := range map[string][]operator.Operator{
		"twice": {{ID: "a", Name: "a", Role: operator.RoleReception, Fingerprint: operator.Fingerprint{1}, Console: operator.Fingerprint{9}},
			{ID: "b", Name: "b", Role: operator.RoleReception, Fingerprint: operator.Fingerprint{2}, Console: operator.Fingerprint{9}}},
		"a card's": {{ID: "a", Name: "a", Role: operator.RoleReception, Fingerprint: operator.Fingerprint{1}, Console: operator.Fingerprint{1}}},
	} {
		if _, err := operator.New(operator.Config{Operators: ops}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
