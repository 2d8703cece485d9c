package eligibility

import (
	"context"
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

// CheckPinless runs PIN-less 特定機関認証 through the kiosk and returns the
// eligibility it ends in. It is for the face-authentication path: the kiosk
// has matched the holder's face to the card's photo before calling it.
func (c *Client) CheckPinless(ctx context.Context, card Relay) (*CardCheckResponse, error) {
	var start PinlessStartResponse
	if err := c.post(ctx, PathPinlessStart, "", struct{}{}, &start); err != nil {
		return nil, err
	}
	cmds := start.Commands
	for range maxPinlessSteps {
		resps := make([][]byte, 0, len(cmds))
		for _, cmd := range cmds {
			resp, err := card.Transmit(ctx, cmd)
			if err != nil {
				return nil, fmt.Errorf("eligibility: relaying to the card: %w", err)
			}
			resps = append(resps, resp)
		}
		var step PinlessStepResponse
		// The step's key lets the service answer a retried step from memory
		// instead of advancing the exchange twice.
		if err := c.post(ctx, PathPinlessStep, NewIdempotencyKey(), PinlessStepRequest{RelayID: start.RelayID, Responses: resps}, &step); err != nil {
			return nil, err
		}
		if step.Done {
			if step.Outcome == nil {
				return nil, fmt.Errorf("eligibility: PIN-less exchange finished without an outcome")
			}
			return step.Outcome, nil
		}
		if len(step.Commands) == 0 {
			return nil, fmt.Errorf("eligibility: PIN-less exchange stalled")
		}
		cmds = step.Commands
	}
	return nil, fmt.Errorf("eligibility: PIN-less exchange over %d steps", maxPinlessSteps)
}
