// Package programs runs real Debian programs that use libseccomp, unchanged,
// with our library preloaded, and checks that they behave as they do with
// the system's: man-db's sandbox (man builds a filter in the parent and
// loads it in each child it forks) and systemd-analyze's syscall groups.
package programs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/abi_test/internal/testenv"
)

// run runs argv with env added, and returns its stdout; stderr goes to
// the error on failure.
func run(t *testing.T, env []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v %v: %v\n%s", env, argv, err, stderr.String())
	}
	return stdout.String()
}

// preloaded runs argv with our library preloaded and returns its
// stdout. A first run checks, from the loader's own trace, that the
// library it initialises is ours; the output comes from a second run
// without the trace, which children may print along with theirs.
func preloaded(t *testing.T, ours string, argv ...string) string {
	t.Helper()
	trace := filepath.Join(t.TempDir(), "ld")
	run(t, []string{"LD_PRELOAD=" + ours, "LD_DEBUG=files", "LD_DEBUG_OUTPUT=" + trace}, argv...)
	logs, _ := filepath.Glob(trace + ".*")
	found := false
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		found = found || bytes.Contains(b, []byte("calling init: "+ours))
	}
	if !found {
		t.Fatalf("%v: the loader never initialised %s", argv, ours)
	}
	return run(t, []string{"LD_PRELOAD=" + ours}, argv...)
}

// A page of our own: distribution images often ship without man pages.
const page = `.TH SANDBOX 1
.SH NAME
sandbox \- a page formatted under man-db's seccomp sandbox
.SH DESCRIPTION
man forks groff and friends and loads a filter in each child.
`

func TestManPage(t *testing.T) {
	ours := filepath.Join(testenv.LibDir(t), "libseccomp.so.2")
	man := testenv.Program(t, "man")
	src := filepath.Join(t.TempDir(), "sandbox.1")
	if err := os.WriteFile(src, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	// No pager, a fixed width, and the sandbox on (man-db turns it off
	// when MAN_DISABLE_SECCOMP is set at all).
	env := []string{"MANPAGER=cat", "PAGER=cat", "MANWIDTH=80"}
	os.Unsetenv("MAN_DISABLE_SECCOMP")
	want := run(t, env, man, "-l", src)
	got := preloaded(t, ours, append([]string{"env"}, append(env, man, "-l", src)...)...)
	if got != want {
		t.Errorf("man -l with our library:\n%s\nwith the system's:\n%s", got, want)
	}
	if !strings.Contains(got, "seccomp sandbox") {
		t.Errorf("man -l printed no page:\n%s", got)
	}

	// The children really ran under filters loaded through us.
	strace := testenv.Program(t, "strace")
	log := filepath.Join(t.TempDir(), "strace")
	preloaded(t, ours, append([]string{strace, "-f", "-qq", "-e", "trace=seccomp", "-o", log, "env"},
		append(env, man, "-l", src)...)...)
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	loads := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "SECCOMP_SET_MODE_FILTER") && strings.HasSuffix(line, "= 0") {
			loads++
		}
	}
	if loads == 0 {
		t.Errorf("man loaded no filter:\n%s", b)
	}
	t.Logf("man loaded %d filters through our library", loads)
}

func TestSystemdAnalyzeSyscallFilter(t *testing.T) {
	ours := filepath.Join(testenv.LibDir(t), "libseccomp.so.2")
	sa := testenv.Program(t, "systemd-analyze")
	want := run(t, nil, sa, "syscall-filter")
	got := preloaded(t, ours, sa, "syscall-filter")
	if got != want {
		t.Errorf("systemd-analyze syscall-filter differs with our library:\n%s", diffLines(want, got))
	}
	if !strings.Contains(got, "@system-service") {
		t.Errorf("no @system-service group in the output:\n%.500s", got)
	}
}

// diffLines lists the lines only one side has.
func diffLines(want, got string) string {
	seen := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		seen[l]++
	}
	var b strings.Builder
	for _, l := range strings.Split(got, "\n") {
		if seen[l] > 0 {
			seen[l]--
			continue
		}
		b.WriteString("+ " + l + "\n")
	}
	for l, n := range seen {
		for range n {
			b.WriteString("- " + l + "\n")
		}
	}
	return b.String()
}
