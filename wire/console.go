package wire

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"

	"github.com/uketsuke/uketsuke/app/config"
	appconsole "github.com/uketsuke/uketsuke/app/console"
	"github.com/uketsuke/uketsuke/app/session"
	"github.com/uketsuke/uketsuke/console"
	"github.com/uketsuke/uketsuke/i18n"
)

// consoleParts are what the management console needs before the kiosk
// runs: its certificate, the operators' CA and the open address, so a
// console that cannot start stops the kiosk at Build with the field named.
type consoleParts struct {
	cert tls.Certificate
	cas  *x509.CertPool
	ln   net.Listener
}

// overridesPath is where the console keeps the settings it changed.
func overridesPath(c *config.Config) string {
	return filepath.Join(c.Parts.Results.State, appconsole.OverridesFile)
}

// withConsoleSettings is the configuration with the settings the console
// saved (on this configuration's serial) applied.
func withConsoleSettings(c *config.Config) (*config.Config, error) {
	out, err := appconsole.LoadOverrides(c, overridesPath(c))
	if err != nil {
		return nil, bad("parts.results.state", "%v", err)
	}
	return out, nil
}

// consoleFiles reads the console's certificate, key and client CA.
func consoleFiles(c config.Console) (tls.Certificate, *x509.CertPool, error) {
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return tls.Certificate{}, nil, bad("parts.console.cert_file", "%v", err)
	}
	cas, err := certPool("parts.console.client_ca_file", c.ClientCAFile)
	return cert, cas, err
}

// console opens the console's address; Run serves it.
func (w *World) console() error {
	c := w.Config.Parts.Console
	if !c.Enabled() {
		return nil
	}
	cert, cas, err := consoleFiles(c)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Address)
	if err != nil {
		return bad("parts.console.address", "%v", err)
	}
	w.onClose(func() { ln.Close() })
	w.consoleParts = &consoleParts{cert: cert, cas: cas, ln: ln}
	return nil
}

// ConsoleAddr is where the management console listens; "" when it is off.
func (w *World) ConsoleAddr() string {
	if w.consoleParts == nil {
		return ""
	}
	return w.consoleParts.ln.Addr().String()
}

// catalogOf is the built-in catalogue with the configuration's wording; a
// wording it refuses is a validation error naming the message.
func catalogOf(c *config.Config) (*i18n.Catalog, error) {
	cat, err := i18n.MustLoad().WithOverrides(i18n.Overrides(c.Facility.Wording))
	if err != nil {
		field := "facility.wording"
		var me *i18n.MessageError
		if errors.As(err, &me) {
			field += "." + string(me.Lang) + "." + string(me.Key)
		}
		return nil, &config.ValidationError{Field: field, Problem: err.Error()}
	}
	return cat, nil
}

// OnFacilityChange sets who hears of wording and default language changed
// from the console (the screen, which takes them from its next session).
func (w *World) OnFacilityChange(f func(*i18n.Catalog, i18n.Lang)) {
	w.facilityMu.Lock()
	defer w.facilityMu.Unlock()
	w.onFacility = f
}

func (w *World) facilityChanged(c *config.Config) {
	cat, err := catalogOf(c)
	if err != nil {
		w.log.Warn("console: the new wording is not shown", "err", err)
		return
	}
	w.facilityMu.Lock()
	f := w.onFacility
	w.facilityMu.Unlock()
	if f != nil {
		f(cat, i18n.Lang(c.Facility.DefaultLanguage))
	}
}

// serveConsole serves the console for kiosk k until ctx ends.
func (w *World) serveConsole(ctx context.Context, k *session.Kiosk, board *faultBoard) {
	if w.consoleParts == nil {
		return
	}
	settings := appconsole.NewSettings(w.Config, overridesPath(w.Config), k)
	settings.Check = func(c *config.Config) error {
		_, err := catalogOf(c)
		return err
	}
	settings.OnChange = w.facilityChanged
	opts := console.Options{Listener: w.consoleParts.ln, Certificate: w.consoleParts.cert,
		ClientCAs: w.consoleParts.cas, Auth: w.Operators, Kiosk: k, Settings: settings,
		Facts: func() appconsole.Facts {
			return appconsole.Facts{Faults: board.active(), Software: w.version,
				Models: map[string]string{"card_face": w.PartOf("scan_keyb"), "face": w.PartOf("match")}}
		},
		LogDir: w.Config.Parts.Audit, Record: w.Audit, Log: w.log}
	w.revisitConsole(&opts)
	srv, err := console.New(opts)
	if err != nil {
		w.log.Error("console not started", "err", err)
		return
	}
	w.log.Info("console serving", "address", srv.Addr())
	if err := srv.Serve(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
		w.log.Error("console stopped", "err", err)
	}
}
