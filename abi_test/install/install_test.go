// Package install checks the built library as a packager and a linker see
// it: exported symbols, SONAME, and `make install` followed by a build that
// knows nothing but pkg-config.
package install

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// library returns the built libseccomp.so.2, skipping outside CI when it
// has not been built.
func library(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SECCOMPTREE_LIBDIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "build")
	}
	lib := filepath.Join(dir, "libseccomp.so.2")
	if _, err := os.Stat(lib); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("library not built: %v", err)
		}
		t.Skipf("library not built (%v); run make", err)
	}
	return lib
}

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not installed", tool)
			}
			t.Skipf("%s not installed", tool)
		}
	}
}

func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestSymbols checks that the library defines exactly libseccomp 2.6.1's
// functions: nothing missing, and nothing of Go's or cgo's visible to
// clash with a host program.
func TestSymbols(t *testing.T) {
	lib := library(t)
	need(t, "nm")
	var got []string
	for _, line := range strings.Split(run(t, nil, "nm", "-D", "--defined-only", lib), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			got = append(got, f[2])
		}
	}
	sort.Strings(got)

	fh, err := os.Open(filepath.Join(repoRoot(t), "abi_test", "install", "testdata", "libseccomp-2.6.1.symbols"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var want []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			want = append(want, s)
		}
	}
	sort.Strings(want)
	if len(want) != 37 {
		t.Fatalf("symbol list has %d entries, want 37", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exported symbols differ from libseccomp 2.6.1 (-want +got):\n%s", diff)
	}
}

// TestSoname checks the name the dynamic linker records in programs.
func TestSoname(t *testing.T) {
	lib := library(t)
	need(t, "objdump")
	out := run(t, nil, "objdump", "-p", lib)
	if !strings.Contains(out, "SONAME               libseccomp.so.2\n") {
		t.Errorf("SONAME is not libseccomp.so.2:\n%s", out)
	}
	if strings.Contains(out, "Version definitions") {
		t.Errorf("library defines symbol versions; upstream's symbols are unversioned")
	}
}

// TestInstallPkgConfig installs into a scratch DESTDIR and builds and runs
// a program with nothing but what pkg-config says.
func TestInstallPkgConfig(t *testing.T) {
	library(t)
	need(t, "make", "pkg-config", "cc")
	root := repoRoot(t)
	dest := t.TempDir()
	prefix := "/opt/seccomptree"
	run(t, nil, "make", "-C", root, "install", "DESTDIR="+dest, "PREFIX="+prefix, "LIBDIR="+prefix+"/lib64", "INCLUDEDIR="+prefix+"/inc")
	for _, f := range []string{"lib64/libseccomp.so.2", "lib64/libseccomp.so", "inc/seccomp.h", "inc/seccomp-syscalls.h", "lib64/pkgconfig/libseccomp.pc"} {
		if _, err := os.Stat(filepath.Join(dest, prefix, f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}

	// pkg-config sees the staged tree through its sysroot support, which
	// prefixes -I and -L paths the way a packager's build root does.
	env := []string{
		"PKG_CONFIG_PATH=" + filepath.Join(dest, prefix, "lib64", "pkgconfig"),
		"PKG_CONFIG_LIBDIR=" + filepath.Join(dest, prefix, "lib64", "pkgconfig"),
		"PKG_CONFIG_SYSROOT_DIR=" + dest,
	}
	if v := strings.TrimSpace(run(t, env, "pkg-config", "--modversion", "libseccomp")); !strings.HasPrefix(v, "2.6.") {
		t.Errorf("pkg-config version %q, want 2.6.x", v)
	}
	flags := strings.Fields(run(t, env, "pkg-config", "--cflags", "--libs", "libseccomp"))
	exe := filepath.Join(t.TempDir(), "prog")
	args := append([]string{"-Wall", "-Werror", "-o", exe, filepath.Join(root, "abi_test", "install", "testdata", "prog.c")}, flags...)
	run(t, nil, "cc", args...)
	out := run(t, []string{"LD_LIBRARY_PATH=" + filepath.Join(dest, prefix, "lib64")}, exe)
	if !strings.Contains(out, "version 2.6.") {
		t.Errorf("program did not run against the installed library:\n%s", out)
	}
}
