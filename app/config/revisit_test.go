package config

import (
	"errors"
	"strings"
	"testing"
)

func revisitParts() *RevisitParts {
	return &RevisitParts{DatabaseURL: "sqlite:/var/lib/uketsuke/revisit.db",
		CodeKeysFile: "/etc/uketsuke/revisit-code.keys", DataKeysFile: "/etc/uketsuke/revisit-data.keys"}
}

func TestRevisitIsValidatedWithTheFieldNamed(t *testing.T) {
	policy := Revisit{Mode: ModeBoth, ClinicName: "みなと内科", Departments: []string{"内科", "小児科"}, LapseMonths: 6}
	visits := &Visits{URL: "https://visits.example.invalid", CAFile: "/ca.pem", ClientCert: "/k.pem", ClientKey: "/k-key.pem"}
	cases := []struct {
		field  string
		change func(c *Config)
	}{
		{"revisit.mode", func(c *Config) { c.Revisit.Mode = "second-visit" }},
		{"revisit.clinic_name", func(c *Config) { c.Revisit.ClinicName = " " }},
		{"revisit.clinic_name", func(c *Config) { c.Revisit.ClinicName = strings.Repeat("院", 49) }},
		{"revisit.departments[1]", func(c *Config) {
			c.Revisit.Departments = []string{"内科", "整形外科リハビリテーション科"}
		}},
		{"revisit.departments[1]", func(c *Config) { c.Revisit.Departments = []string{"内科", "内科"} }},
		{"revisit.departments[0]", func(c *Config) { c.Revisit.Departments = []string{"内\n科"} }},
		{"revisit.lapse_months", func(c *Config) { c.Revisit.LapseMonths = 121 }},
		{"parts.revisit", func(c *Config) { c.Parts.Revisit = nil }},
		{"parts.revisit.database_url", func(c *Config) { c.Parts.Revisit.DatabaseURL = "mysql://db/revisit" }},
		{"parts.revisit.code_keys_file", func(c *Config) { c.Parts.Revisit.CodeKeysFile = "" }},
		{"parts.revisit.data_keys_file", func(c *Config) { c.Parts.Revisit.DataKeysFile = c.Parts.Revisit.CodeKeysFile }},
		{"parts.revisit.outbox", func(c *Config) { c.Parts.Revisit.Visits = visits }},
		{"parts.revisit.outbox", func(c *Config) { c.Parts.Revisit.Outbox = "/var/lib/uketsuke/outbox.db" }},
		{"parts.revisit.visits.url", func(c *Config) {
			v := *visits
			v.URL = "http://visits"
			c.Parts.Revisit.Visits, c.Parts.Revisit.Outbox = &v, "/o.db"
		}},
		{"parts.revisit.visits.ca_file", func(c *Config) {
			v := *visits
			v.CAFile = ""
			c.Parts.Revisit.Visits, c.Parts.Revisit.Outbox = &v, "/o.db"
		}},
	}
	for _, tc := range cases {
		c := Default()
		c.Parts = simulatedParts()
		c.Revisit = policy
		c.Revisit.Departments = append([]string(nil), policy.Departments...)
		c.Parts.Revisit = revisitParts()
		tc.change(c)
		err := c.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("want a complaint about %s, got %v", tc.field, err)
		}
	}
	c := Default()
	c.Parts = simulatedParts()
	c.Revisit = policy
	c.Parts.Revisit = revisitParts()
	c.Parts.Revisit.Visits, c.Parts.Revisit.Outbox = visits, "/var/lib/uketsuke/outbox.db"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// The default is today's flow, and needs nothing.
	d := Default()
	d.Parts = simulatedParts()
	if err := d.Validate(); err != nil || d.Revisit.Enabled() || d.Revisit.VisitMode() != ModeFirstVisit {
		t.Fatalf("default: %v, %q", err, d.Revisit.VisitMode())
	}
}

func TestRevisitSurvivesARoundTrip(t *testing.T) {
	c := Default()
	c.Parts = simulatedParts()
	c.Revisit = Revisit{Mode: ModeRevisit, ClinicName: "みなと内科", LapseMonths: 3, DeskOnFailedMonthlyCheck: true}
	c.Parts.Revisit = revisitParts()
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil || back.Revisit.Mode != ModeRevisit || !back.Revisit.Rules().DeskOnFailedMonthlyCheck ||
		back.Parts.Revisit.DatabaseURL != c.Parts.Revisit.DatabaseURL {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}
