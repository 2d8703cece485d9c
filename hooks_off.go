//go:build !testhooks

package main

// testHooksBuilt: an installed kiosk writes no test files.
const testHooksBuilt = false
