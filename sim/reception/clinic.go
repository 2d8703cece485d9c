// Package reception is a stand-in for a clinic's reception system (レセコン):
// it puts check-by-number requests into req/, reads the answers from res/
// and picks up face/ files, the way such a system uses the 連携 folder.
// Cases holds the session outcomes of every result kind, for tests and
// `simulate --results`.
package reception

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/uketsuke/uketsuke/app/reception"
)

// Clinic is one reception system using a 連携 folder.
type Clinic struct {
	Root     string
	Encoding reception.Encoding // of the requests it writes
	// Torn writes requests in two halves with a pause between, as a
	// system that does not write atomically would.
	Torn time.Duration

	mu  sync.Mutex
	seq int
}

// NewClinic uses root (which must exist), making req/, res/ and face/.
func NewClinic(root string, enc reception.Encoding) (*Clinic, error) {
	for _, d := range []string{reception.ReqFolder, reception.ResFolder, reception.FaceFolder} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o770); err != nil {
			return nil, err
		}
	}
	return &Clinic{Root: root, Encoding: enc}, nil
}

// Query is what the clinic asks: the patient's insurance card and birth date.
type Query struct {
	InsurerNumber, Symbol, Number, Branch, Birthdate string
	LimitConsent                                     bool
	Ref                                              string // ArbitraryIdentifier, echoed
}

type requestDoc struct {
	XMLName xml.Name `xml:"XmlMsg"`
	Header  struct {
		MedicalInstitutionCode  string
		ArbitraryFileIdentifier string
	} `xml:"MessageHeader"`
	Search reception.SearchInfo `xml:"MessageBody>QualificationConfirmSearchInfo"`
}

// RequestXML renders q as a request file in enc.
func RequestXML(q Query, enc reception.Encoding) ([]byte, error) {
	var d requestDoc
	d.Header.MedicalInstitutionCode = Institution
	d.Header.ArbitraryFileIdentifier = q.Ref
	d.Search.InsurerNumber, d.Search.InsuredCardSymbol = q.InsurerNumber, q.Symbol
	d.Search.InsuredIdentificationNumber, d.Search.InsuredBranchNumber = q.Number, q.Branch
	d.Search.Birthdate, d.Search.ArbitraryIdentifier = q.Birthdate, q.Ref
	d.Search.LimitApplicationCertificateRelatedConsFlg = "0"
	if q.LimitConsent {
		d.Search.LimitApplicationCertificateRelatedConsFlg = "1"
	}
	body, err := xml.MarshalIndent(&d, "", "\t")
	if err != nil {
		return nil, err
	}
	decl := "UTF-8"
	if enc == reception.ShiftJIS {
		decl = "Shift_JIS"
	}
	out := append([]byte(`<?xml version="1.0" encoding="`+decl+`" standalone="no"?>`+"\r\n"), body...)
	if enc == reception.ShiftJIS {
		return japanese.ShiftJIS.NewEncoder().Bytes(out)
	}
	return out, nil
}

// Ask writes a request for q into req/ and returns its file name.
func (c *Clinic) Ask(q Query) (string, error) {
	data, err := RequestXML(q, c.Encoding)
	if err != nil {
		return "", err
	}
	name := c.nextName()
	return name, c.WriteRaw(name, data)
}

// nextName is the next request name: date and a 4-digit number, as
// reception systems name theirs.
func (c *Clinic) nextName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return fmt.Sprintf("%s%s%04d.xml", reception.RequestPrefix, time.Now().Format("20060102"), c.seq)
}

// WriteRaw puts bytes into req/name as they are (for malformed requests).
func (c *Clinic) WriteRaw(name string, data []byte) error {
	path := filepath.Join(c.Root, reception.ReqFolder, name)
	if c.Torn <= 0 {
		return os.WriteFile(path, data, 0o640)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	half := len(data) / 2
	if _, err := f.Write(data[:half]); err != nil {
		return err
	}
	time.Sleep(c.Torn)
	_, err = f.Write(data[half:])
	return err
}

// ErrNoAnswer means res/ holds no answer to the request yet.
var ErrNoAnswer = errors.New("reception stand-in: no answer yet")

// Answer reads the answer to request name from res/, if it is there.
func (c *Clinic) Answer(name string) (*reception.Document, []byte, error) {
	data, err := os.ReadFile(filepath.Join(c.Root, reception.ResFolder, reception.AnswerName(name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, ErrNoAnswer
	}
	if err != nil {
		return nil, nil, err
	}
	d, err := reception.ReadDocument(data)
	return d, data, err
}

// Await polls for the answer to request name until ctx ends.
func (c *Clinic) Await(ctx context.Context, name string) (*reception.Document, error) {
	for {
		d, _, err := c.Answer(name)
		if !errors.Is(err, ErrNoAnswer) {
			return d, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", ErrNoAnswer, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Pending lists request files still in req/ (not yet taken by the kiosk).
func (c *Clinic) Pending() ([]string, error) {
	return list(filepath.Join(c.Root, reception.ReqFolder), reception.RequestPrefix)
}

// Answers lists the answer files in res/.
func (c *Clinic) Answers() ([]string, error) {
	return list(filepath.Join(c.Root, reception.ResFolder), "OQSsiquc01res_")
}

// Faces lists the face/ files, oldest name first.
func (c *Clinic) Faces() ([]string, error) {
	return list(filepath.Join(c.Root, reception.FaceFolder), reception.FacePrefix)
}

// TakeFace reads a face/ file and removes it, as a reception system does
// once it has registered the patient.
func (c *Clinic) TakeFace(name string) (*reception.Document, error) {
	path := filepath.Join(c.Root, reception.FaceFolder, name)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d, err := reception.ReadDocument(data)
	if err != nil {
		return nil, err
	}
	return d, os.Remove(path)
}

func list(dir, prefix string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".xml") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// declared reports the encoding an XML file's declaration names.
func declared(data []byte) string {
	end := bytes.IndexByte(data, '>')
	if end < 0 {
		return ""
	}
	head := string(data[:end])
	if i := strings.Index(head, `encoding="`); i >= 0 {
		rest := head[i+len(`encoding="`):]
		if j := strings.IndexByte(rest, '"'); j >= 0 {
			return rest[:j]
		}
	}
	return ""
}
