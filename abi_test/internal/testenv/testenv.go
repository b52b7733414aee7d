// Package testenv holds what the abi_test packages share about the machine
// they run on.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

// LibDir returns the absolute directory holding the libseccomp.so.2 under
// test: SECCOMPTREE_LIBDIR, or the repository's build/.
func LibDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SECCOMPTREE_LIBDIR")
	if dir == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			t.Fatal("cannot locate the repository")
		}
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "build")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "libseccomp.so.2")); err != nil {
		Unavailable(t, "no libseccomp.so.2 in %s (run make)", dir)
	}
	return dir
}

// Program returns the path of an installed program.
func Program(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, "%s is not installed", name)
	}
	return path
}
