package onshi

import (
	"fmt"

	"github.com/uketsuke/uketsuke/app/eligibility"
)

// fail builds the API error a handler returns for bad input.
func fail(code, format string, args ...any) error {
	return &eligibility.APIError{Status: eligibility.CodeStatus[code], Code: code, Message: fmt.Sprintf(format, args...)}
}
