package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// MaxBody bounds every request body but a bundle's: room for the most
// wording overrides a configuration may hold.
const MaxBody = 1 << 20

// Decision names the session a visual-check verdict is for.
type Decision struct {
	Session uint64 `json:"session"`
}

// DecodeDecision reads {"session": N}, N > 0.
func DecodeDecision(body []byte) (Decision, error) {
	var d Decision
	if err := decodeStrict(body, &d); err != nil {
		return Decision{}, err
	}
	if d.Session == 0 {
		return Decision{}, badRequest("session", "the number of the session the decision is for")
	}
	return d, nil
}

// DecodeSettings reads a settings change: only the whitelisted fields,
// each at most once, nothing else.
func DecodeSettings(body []byte) (Change, error) {
	var c Change
	if err := decodeStrict(body, &c); err != nil {
		return Change{}, err
	}
	if c.empty() {
		return Change{}, badRequest("", "the change names no setting")
	}
	return c, nil
}

// decodeStrict decodes one JSON object: no unknown fields, no trailing
// data, no more than MaxBody bytes.
func decodeStrict(body []byte, v any) error {
	if len(body) > MaxBody {
		return badRequest("", "the body is over %d bytes", MaxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("", "data after the JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		return badRequest(typ.Field, "must be a %s", typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if len(name) > 64 {
			name = name[:64]
		}
		return badRequest(name, "not a field the console takes")
	}
	return badRequest("", "not a JSON object: %v", err)
}
