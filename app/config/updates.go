package config

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Files in the updates' state folder: the last applied bundle (verified
// again at every start) and the highest serial ever applied, which outlives
// the bundle so an older one is refused after a restart too.
const (
	AppliedBundleFile = "applied.bundle"
	SerialFile        = "serial"
	BundleExt         = ".bundle"
)

// Refusal is one bundle that was not applied, and why.
type Refusal struct {
	File string
	Err  error
}

// UpdateReport is what starting the kiosk made of its bundles.
type UpdateReport struct {
	Applied  string // the bundle applied now ("" if none)
	Serial   uint64 // the running configuration's serial
	Refused  []Refusal
	Restored bool // the previously applied bundle is in force again
}

// ApplyUpdates returns the configuration the kiosk runs with: the local file,
// overlaid with the previously applied bundle and then with the newest valid
// bundle in the updates folder that is newer than every serial ever applied.
// Refused bundles are reported, never applied; the local file's parts always
// stay (a bundle cannot change them).
//
// A waiting bundle must not have expired and must be addressed to this
// facility (and to this kiosk, when it names one). The bundle applied
// before is verified again for its signature and audience but not its
// expiry: it was applied in time, and letting it lapse would put the older
// local policy back in force.
func ApplyUpdates(local *Config) (*Config, UpdateReport, error) {
	return applyUpdates(local, time.Now())
}

func applyUpdates(local *Config, now time.Time) (*Config, UpdateReport, error) {
	var rep UpdateReport
	if local.Parts == nil || local.Parts.Updates.Dir == "" {
		rep.Serial = local.Serial
		return local, rep, nil
	}
	u := local.Parts.Updates
	keys := u.VerificationKeys()
	running := local
	floor, err := readSerial(filepath.Join(u.State, SerialFile))
	if err != nil {
		return nil, rep, err
	}
	if c, ok := restore(u.State, keys, AudienceOf(local, time.Time{}), floor); ok {
		running, rep.Restored = overlay(c, local), true
	}
	floor = max(floor, running.Serial)
	best, bestFile, bestData := (*Config)(nil), "", []byte(nil)
	for _, file := range bundleFiles(u.Dir) {
		data, c, err := openBundleFile(file, keys, AudienceOf(local, now))
		switch {
		case err != nil:
			rep.Refused = append(rep.Refused, Refusal{file, err})
		case c.Serial <= floor:
			rep.Refused = append(rep.Refused, Refusal{file, fmt.Errorf("%w: serial %d, already at %d", ErrRollback, c.Serial, floor)})
		case best == nil || c.Serial > best.Serial:
			best, bestFile, bestData = c, file, data
		}
	}
	if best != nil {
		if err := persist(u.State, bestData, best.Serial); err != nil {
			return nil, rep, err
		}
		// Applied: it lives on in the state folder, so the next start does
		// not report it as an older bundle.
		os.Remove(bestFile)
		running, rep.Applied = overlay(best, local), bestFile
	}
	rep.Serial = running.Serial
	return running, rep, nil
}

// overlay takes a bundle's policy and keeps the local file's parts, and
// its trust anchors and device allow-list when the bundle carries none.
func overlay(bundle, local *Config) *Config {
	c := *bundle
	c.Parts = local.Parts
	if len(c.Anchors) == 0 {
		c.Anchors = local.Anchors
	}
	if len(c.Devices) == 0 { // a bundle that names no devices does not unplug them all
		c.Devices = local.Devices
	}
	return &c
}

// restore re-verifies the bundle applied before; it counts only if its
// serial is the one recorded.
func restore(state string, keys []ed25519.PublicKey, aud Audience, floor uint64) (*Config, bool) {
	_, c, err := openBundleFile(filepath.Join(state, AppliedBundleFile), keys, aud)
	if err != nil || c.Serial != floor {
		return nil, false
	}
	return c, true
}

func openBundleFile(path string, keys []ed25519.PublicKey, aud Audience) ([]byte, *Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	c, err := OpenBundle(data, keys, aud)
	return data, c, err
}

func bundleFiles(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*"+BundleExt))
	sort.Strings(files)
	return files
}

func readSerial(path string) (uint64, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrMalformed, path, err)
	}
	return n, nil
}

// persist writes the bundle and then the serial, each whole and synced:
// after a crash between the two the serial is still the older one and the
// new bundle is applied again at the next start.
func persist(state string, bundle []byte, serial uint64) error {
	if err := os.MkdirAll(state, 0o700); err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(state, AppliedBundleFile), bundle); err != nil {
		return err
	}
	return writeSynced(filepath.Join(state, SerialFile), []byte(strconv.FormatUint(serial, 10)+"\n"))
}

func writeSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ErrNoUpdates means the kiosk has no updates section: it takes no bundles.
var ErrNoUpdates = errors.New("config: this kiosk takes no bundles (parts.updates is not set)")

// ApplyBundle applies a bundle handed over while the kiosk runs (the
// management console) with the checks a bundle in the updates folder gets:
// signature, expiry, audience, and a serial above every serial ever
// applied. It is kept in the state folder like one applied at start, so a
// restart keeps it. running is the configuration in force; the result is
// the new one, with running's parts.
func ApplyBundle(running *Config, data []byte) (*Config, error) {
	return applyBundle(running, data, time.Now())
}

func applyBundle(running *Config, data []byte, now time.Time) (*Config, error) {
	if running.Parts == nil || running.Parts.Updates.Dir == "" {
		return nil, ErrNoUpdates
	}
	u := running.Parts.Updates
	c, err := OpenBundle(data, u.VerificationKeys(), AudienceOf(running, now))
	if err != nil {
		return nil, err
	}
	floor, err := readSerial(filepath.Join(u.State, SerialFile))
	if err != nil {
		return nil, err
	}
	if floor = max(floor, running.Serial); c.Serial <= floor {
		return nil, fmt.Errorf("%w: serial %d, already at %d", ErrRollback, c.Serial, floor)
	}
	if err := persist(u.State, data, c.Serial); err != nil {
		return nil, err
	}
	return overlay(c, running), nil
}
