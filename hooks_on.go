//go:build testhooks

package main

// testHooksBuilt: this binary is for end-to-end tests of the production kiosk.
const testHooksBuilt = true
