package wire

import (
	"context"
	"encoding/hex"

	"github.com/uketsuke/uketsuke/app/config"
	"github.com/uketsuke/uketsuke/app/mynacard"
	"github.com/uketsuke/uketsuke/app/operator"
	"github.com/uketsuke/uketsuke/sim/profile"
	"github.com/uketsuke/uketsuke/sim/vcard"
	"github.com/uketsuke/uketsuke/sim/world"
)

// DemoStaffID is the operator the simulated staff card logs in as.
const DemoStaffID = "demo.staff"

// RegisterDemoStaff registers the simulated world's staff card
// (profile.Staff, PIN 5678) as an administrator, so that the demo shows
// the staff card login (`uketsuke demo --staff-card`). The card's keys
// follow from the profile: the card the world issues later is this one.
func RegisterDemoStaff(cfg *config.Config) error {
	vc, err := world.IssueCard(profile.Staff(), vcard.Options{PhotoJP2: demoStaffPhoto})
	if err != nil {
		return err
	}
	cert, err := mynacard.Open(vc).AuthCertificate(context.Background())
	if err != nil {
		return err
	}
	fp := operator.FingerprintOf(cert.Raw)
	cfg.Parts.Staff.Operators = append(cfg.Parts.Staff.Operators, config.Operator{ID: DemoStaffID,
		Name: profile.Staff().Name, Role: operator.RoleAdministrator.String(), Fingerprint: hex.EncodeToString(fp[:])})
	return nil
}

// demoStaffPhoto stands for the chip photo: only the certificate is read.
var demoStaffPhoto = []byte{0xFF, 0x4F, 0xFF, 0x51, 0, 0}
