package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
	"github.com/seccomptree/seccomptree/engine/tree"
)

// beMain makes the test binary act as the command, so that --exec, which
// replaces the process, can be tested in a child.
const beMain = "SECCOMPTREE_TEST_BE_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(beMain) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// invoke runs the command in-process.
func invoke(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

// child runs the command as a separate process.
func child(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), beMain+"=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return o.String(), e.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

// hostNr is the host number of a syscall the test relies on.
func hostNr(t *testing.T, name string) int32 {
	t.Helper()
	nr, ok := syscalls.Number(arch.Host(), name)
	if !ok {
		t.Skipf("host ABI %s has no %s", arch.Host().Name, name)
	}
	return nr
}

// writeFilter builds f with the engine and writes it as
// seccomp_export_bpf would.
func writeFilter(t *testing.T, f *policy.Filter) string {
	t.Helper()
	prog, err := tree.Generate(f)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "filter.bpf")
	if err := os.WriteFile(name, encodeProgram(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{nil, exitUsage, "", "usage: seccomptree COMMAND"},
		{[]string{"--help"}, exitOK, "usage: seccomptree COMMAND", ""},
		{[]string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{[]string{"resolve", "--help"}, exitOK, "usage: seccomptree resolve", ""},
		{[]string{"disasm", "--help"}, exitOK, "usage: seccomptree disasm", ""},
		{[]string{"sim", "-h"}, exitOK, "usage: seccomptree sim", ""},
		{[]string{"explain", "--help"}, exitOK, "usage: seccomptree explain", ""},
		{[]string{"compile", "--help"}, exitOK, "usage: seccomptree compile", ""},
		{[]string{"resolve", "--bogus", "read"}, exitUsage, "", "flag provided but not defined"},
		{[]string{"resolve"}, exitUsage, "", "want one syscall"},
		{[]string{"disasm"}, exitUsage, "", "want one BPF file"},
		{[]string{"sim", "f.bpf"}, exitUsage, "", "want a BPF file, a syscall"},
		{[]string{"explain", "a", "b", "c"}, exitUsage, "", "want one or two BPF files"},
		{[]string{"explain"}, exitUsage, "", "want one or two BPF files"},
		{[]string{"compile"}, exitUsage, "", "want a profile"},
		{[]string{"compile", "p.json"}, exitUsage, "", "want -o FILE or --exec"},
		{[]string{"compile", "p.json", "--exec"}, exitUsage, "", "--exec wants a command"},
		{[]string{"compile", "p.json", "-o", "x", "--", "true"}, exitUsage, "", "only makes sense with --exec"},
		{[]string{"disasm", "/nonexistent/filter.bpf"}, exitNo, "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errs, code := invoke(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("stdout %q does not contain %q", out, tt.out)
			}
			if !strings.Contains(errs, tt.err) {
				t.Errorf("stderr %q does not contain %q", errs, tt.err)
			}
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"a", "-t", "b"}, "a b"},
		{[]string{"-t", "-10101"}, "-10101"},
		{[]string{"x", "--", "-t", "-y"}, "x -t -y"},
		{[]string{"-a", "x86", "one", "two"}, "one two"},
		{[]string{"-a", "-5", "x", "-t"}, "x"},
		{[]string{"-1", "-t", "-2", "--", "-a"}, "-1 -2 -a"},
	}
	for _, tt := range tests {
		e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
		fs := newFlags(e, "resolve", "")
		fs.Bool("t", false, "")
		fs.String("a", "", "")
		got, _, ok := parse(e, fs, tt.args)
		if !ok || strings.Join(got, " ") != tt.want {
			t.Errorf("parse(%q) = %q, %v; want %q", tt.args, got, ok, tt.want)
		}
	}
}
