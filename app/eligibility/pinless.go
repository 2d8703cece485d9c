package eligibility

import (
	"context"
	"errors"
	"fmt"
)

// Relay is the card as the kiosk reaches it: raw command APDU in, raw
// response APDU out (apdu.Transport satisfies it). In PIN-less
// authentication the kiosk forwards the service's commands without reading
// them: the service, acting as the institution, is the one talking to the card.
type Relay interface {
	Transmit(ctx context.Context, cmd []byte) ([]byte, error)
}

// maxPinlessSteps bounds the exchange against a service that never finishes.
const maxPinlessSteps = 16

// ErrPinlessProtocol means the service's side of the exchange broke its rules.
var ErrPinlessProtocol = errors.New("eligibility: PIN-less exchange out of order")

// PinlessPrep is a PIN-less check under way before the holder is verified:
// StartPinless opens it (the connection, the exchange's first commands),
// AdvancePinless runs it with the card up to the card's signature. Nothing
// of it identifies the patient, so it may run while the card face is read
// and the face matched; FinishPinless sends what does, once the holder is
// verified.
type PinlessPrep struct {
	relayID string
	next    [][]byte // commands to relay next
	held    [][]byte // the card's answers not yet sent
	final   [][]byte // commands to relay only after verification
}

// StartPinless opens a PIN-less exchange without touching the card.
// extended says whether the link to the card carries extended-length commands.
func (c *Client) StartPinless(ctx context.Context, extended bool) (*PinlessPrep, error) {
	var start PinlessStartResponse
	if err := c.post(ctx, PathPinlessStart, "", PinlessStartRequest{ExtendedLength: extended}, &start); err != nil {
		return nil, err
	}
	return &PinlessPrep{relayID: start.RelayID, next: start.Commands}, nil
}

// AdvancePinless relays the exchange to the card up to the commands that
// must wait for the holder's verification.
func (c *Client) AdvancePinless(ctx context.Context, prep *PinlessPrep, card Relay) error {
	for range maxPinlessSteps {
		resps, err := relayAll(ctx, card, prep.next)
		if err != nil {
			return err
		}
		step, err := c.step(ctx, PinlessStepRequest{RelayID: prep.relayID, Responses: resps})
		if err != nil {
			return err
		}
		switch {
		case step.Done:
			return fmt.Errorf("%w: finished before the holder was verified", ErrPinlessProtocol)
		case len(step.Final) > 0:
			held, err := relayAll(ctx, card, step.Commands)
			if err != nil {
				return err
			}
			prep.next, prep.held, prep.final = nil, held, step.Final
			return nil
		case len(step.Commands) == 0:
			return fmt.Errorf("%w: the exchange stalled", ErrPinlessProtocol)
		}
		prep.next = step.Commands
	}
	return fmt.Errorf("%w: over %d steps", ErrPinlessProtocol, maxPinlessSteps)
}

// FinishPinless has the card sign and sends its answers with its
// user-authentication certificate: the request that identifies the patient.
// Call it only after the holder's face (or staff) verified them.
func (c *Client) FinishPinless(ctx context.Context, prep *PinlessPrep, card Relay, certificate []byte) (*CardCheckResponse, error) {
	if prep.final == nil {
		return nil, fmt.Errorf("%w: finishing an exchange that was not advanced", ErrPinlessProtocol)
	}
	signed, err := relayAll(ctx, card, prep.final)
	if err != nil {
		return nil, err
	}
	req := PinlessStepRequest{RelayID: prep.relayID, Responses: append(prep.held, signed...), Certificate: certificate}
	for range maxPinlessSteps {
		step, err := c.step(ctx, req)
		if err != nil {
			return nil, err
		}
		if step.Done {
			if step.Outcome == nil {
				return nil, fmt.Errorf("%w: finished without an outcome", ErrPinlessProtocol)
			}
			return step.Outcome, nil
		}
		if len(step.Commands) == 0 || len(step.Final) > 0 {
			return nil, fmt.Errorf("%w: no outcome after the signature", ErrPinlessProtocol)
		}
		resps, err := relayAll(ctx, card, step.Commands)
		if err != nil {
			return nil, err
		}
		req = PinlessStepRequest{RelayID: prep.relayID, Responses: resps}
	}
	return nil, fmt.Errorf("%w: over %d steps", ErrPinlessProtocol, maxPinlessSteps)
}

// CheckPinless runs PIN-less 特定機関認証 in one go and returns the
// eligibility it ends in. It is for the face-authentication path: the kiosk
// has matched the holder's face to the card's photo before calling it.
func (c *Client) CheckPinless(ctx context.Context, card Relay, certificate []byte, extended bool) (*CardCheckResponse, error) {
	prep, err := c.StartPinless(ctx, extended)
	if err != nil {
		return nil, err
	}
	if err := c.AdvancePinless(ctx, prep, card); err != nil {
		return nil, err
	}
	return c.FinishPinless(ctx, prep, card, certificate)
}

// step posts one batch of answers. Its key lets the service answer a
// retried step from memory instead of advancing the exchange twice.
func (c *Client) step(ctx context.Context, req PinlessStepRequest) (*PinlessStepResponse, error) {
	var step PinlessStepResponse
	if err := c.post(ctx, PathPinlessStep, NewIdempotencyKey(), req, &step); err != nil {
		return nil, err
	}
	return &step, nil
}

func relayAll(ctx context.Context, card Relay, cmds [][]byte) ([][]byte, error) {
	resps := make([][]byte, 0, len(cmds))
	for _, cmd := range cmds {
		resp, err := card.Transmit(ctx, cmd)
		if err != nil {
			return nil, fmt.Errorf("eligibility: relaying to the card: %w", err)
		}
		resps = append(resps, resp)
	}
	return resps, nil
}
