// Package gohost tests the library in hosts that the C tests cannot
// build: a Go program (a second Go runtime in the process), a process
// that dlopen()s the library without having linked it, and a program
// built against the system libseccomp that gets ours by LD_PRELOAD.
package gohost

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/seccomptree/seccomptree/abi_test/internal/testenv"
)

// runTimeout turns a hang into a failure.
const runTimeout = 60 * time.Second

// repoRoot is the repository, two levels up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// run runs a command with a deadline and returns its combined output.
func run(t *testing.T, env []string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("%s %v hung (killed after %v); output:\n%s", name, args, runTimeout, out)
	}
	return string(out), err
}

// writePC writes a libseccomp.pc for the build under test into dir.
func writePC(t *testing.T, dir, lib string) {
	t.Helper()
	pc := "prefix=" + repoRoot(t) + "\n" +
		"libdir=" + lib + "\n" +
		"includedir=" + repoRoot(t) + "\n\n" +
		"Name: libseccomp\nDescription: seccomptree under test\nVersion: 2.6.1\n" +
		"Libs: -L${libdir} -Wl,-rpath,${libdir} -lseccomp\nCflags: -I${includedir}\n"
	if err := os.WriteFile(filepath.Join(dir, "libseccomp.pc"), []byte(pc), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoHost builds a cgo program that finds libseccomp through
// pkg-config, as runc does, so that two Go runtimes share the process,
// and has it build, export and (in a child, with TSYNC) load a filter.
func TestGoHost(t *testing.T) {
	lib := testenv.LibDir(t)
	testenv.Program(t, "pkg-config")
	testenv.Program(t, "cc")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")

	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "gohost", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"main.go": string(src),
		"go.mod":  "module gohost\n\ngo 1.26\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writePC(t, dir, lib)
	bin := filepath.Join(dir, "gohost")
	env := []string{"PKG_CONFIG_PATH=" + dir, "CGO_ENABLED=1", "GOFLAGS=-mod=mod", "GOWORK=off"}
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), env...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	out, err := run(t, nil, bin)
	if err != nil {
		t.Fatalf("gohost: %v; output:\n%s", err, out)
	}
	for _, want := range []string{"libseccomp 2.6.", "exported", "child: filter loaded, getppid denied"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// cc compiles a C program from testdata/c.
func cc(t *testing.T, name string, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), strings.TrimSuffix(name, ".c"))
	argv := append([]string{"-O2", "-Wall", "-Werror", "-o", bin, filepath.Join("testdata", "c", name)}, args...)
	if out, err := exec.Command(testenv.Program(t, "cc"), argv...).CombinedOutput(); err != nil {
		t.Fatalf("cc %s: %v\n%s", name, err, out)
	}
	return bin
}

// TestDlopenFresh loads the library into a process that never linked
// it, systemd's way, and checks that dlclose() leaves it in place.
func TestDlopenFresh(t *testing.T) {
	lib := filepath.Join(testenv.LibDir(t), "libseccomp.so.2")
	bin := cc(t, "dlopen_fresh.c")
	out, err := run(t, nil, bin, lib)
	if err != nil {
		t.Fatalf("dlopen_fresh: %v; output:\n%s", err, out)
	}
}

// TestPreloadOverSystem runs a program linked against the system
// libseccomp with ours in LD_PRELOAD: it must see, and work with, ours.
func TestPreloadOverSystem(t *testing.T) {
	lib := filepath.Join(testenv.LibDir(t), "libseccomp.so.2")
	const sysHeader = "/usr/include/seccomp.h"
	if _, err := os.Stat(sysHeader); err != nil {
		testenv.Unavailable(t, "no system libseccomp headers (%s)", sysHeader)
	}
	bin := cc(t, "preload.c", "-I/usr/include", "-L/usr/lib/x86_64-linux-gnu", "-lseccomp")

	tests := []struct {
		name    string
		env     []string
		version func(string) bool
	}{
		{"system", nil, func(v string) bool { return v != "" && !strings.HasPrefix(v, "2.6.") }},
		{"preloaded", []string{"LD_PRELOAD=" + lib}, func(v string) bool { return strings.HasPrefix(v, "2.6.") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, tt.env, bin)
			if err != nil {
				t.Fatalf("%v; output:\n%s", err, out)
			}
			if v := strings.TrimSpace(out); !tt.version(v) {
				t.Errorf("seccomp_version() reports %q", v)
			}
		})
	}
}
