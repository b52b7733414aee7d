// Package testenv holds what the abi_test packages share about the machine
// they run on.
package testenv

import (
	"os"
	"testing"
)

// Unavailable skips a test whose prerequisite is missing when it is run by
// hand, and fails it under CI (CI set in the environment), where a missing
// prerequisite means the pipeline is broken.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format+" (set CI=true to make this a failure)", args...)
}
