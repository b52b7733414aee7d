// Package abi_test compares our libseccomp.so.2 with the system's, call by
// call and decision by decision.
//
// A small C program, testdata/driver.c, replays a script of libseccomp
// calls and prints every return code and every exported BPF program. The
// tests build it once against the system <seccomp.h> and run each script
// twice: with the system library, and with SECCOMPTREE_LIBDIR (default
// <repo>/build) first on LD_LIBRARY_PATH. Programs are compared by running
// both through engine/sim on many seccomp_data inputs, never by bytes: the
// two libraries may lay out a filter differently and still agree.
//
// To exercise the harness without our library, point it at the system one:
//
//	SECCOMPTREE_LIBDIR=/usr/lib/x86_64-linux-gnu go test ./abi_test
package abi_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seccomptree/seccomptree/abi_test/internal/testenv"
)

// driverTimeout bounds one driver process. The reference can loop forever
// on some argument rules (LIBSECCOMP-BUGS.md #4), so nothing waits
// unbounded.
const driverTimeout = 20 * time.Second

var (
	buildOnce sync.Once
	buildDir  string
	driverBin string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// library is one side of the comparison.
type library struct {
	name string
	// libDir goes first on LD_LIBRARY_PATH; empty means the loader's
	// default search, i.e. the system library.
	libDir string
	// timeout overrides driverTimeout when set.
	timeout time.Duration
}

// harness holds what every differential test needs.
type harness struct {
	ref, ours library
	// sameLibrary is set when both sides load one file, i.e. the harness
	// is being exercised against the system library only. Differences
	// cannot show then, and checks of behaviour the reference gets wrong
	// are skipped.
	sameLibrary bool
}

var (
	identifyOnce sync.Once
	refPath      string
	oursPath     string
	identifyErr  error
)

// identify learns which file each side loads.
func (h *harness) identify() error {
	identifyOnce.Do(func() {
		var ref, ours transcript
		ref, identifyErr = h.ref.run("libpath\n")
		if identifyErr == nil {
			ours, identifyErr = h.ours.run("libpath\n")
		}
		refPath, oursPath = ref[1].payload, ours[1].payload
	})
	return identifyErr
}

func setup(t *testing.T) *harness {
	t.Helper()
	libDir := os.Getenv("SECCOMPTREE_LIBDIR")
	if libDir == "" {
		root, err := filepath.Abs("..")
		if err != nil {
			t.Fatal(err)
		}
		libDir = filepath.Join(root, "build")
	}
	if _, err := os.Stat(filepath.Join(libDir, "libseccomp.so.2")); err != nil {
		testenv.Unavailable(t, "our library is not built: %v (run make, or set SECCOMPTREE_LIBDIR)", err)
	}
	if _, err := os.Stat("/usr/include/seccomp.h"); err != nil {
		testenv.Unavailable(t, "system libseccomp headers missing: %v (apt-get install libseccomp-dev)", err)
	}
	buildOnce.Do(buildDriver)
	if buildErr != nil {
		testenv.Unavailable(t, "cannot build testdata/driver.c: %v", buildErr)
	}
	h := &harness{
		ref:  library{name: "reference"},
		ours: library{name: "ours", libDir: libDir},
	}
	if err := h.identify(); err != nil {
		t.Fatalf("cannot run the driver: %v", err)
	}
	if !sameFile(filepath.Join(libDir, "libseccomp.so.2"), oursPath) {
		t.Fatalf("with LD_LIBRARY_PATH=%s the driver loaded %q, not our library", libDir, oursPath)
	}
	h.sameLibrary = sameFile(refPath, oursPath)
	return h
}

func sameFile(a, b string) bool {
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	return err1 == nil && err2 == nil && ra == rb
}

func buildDriver() {
	buildDir, buildErr = os.MkdirTemp("", "seccomptree-abi-")
	if buildErr != nil {
		return
	}
	driverBin = filepath.Join(buildDir, "driver")
	cmd := exec.Command("gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror",
		"-o", driverBin, filepath.Join("testdata", "driver.c"), "-lseccomp")
	if out, err := cmd.CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("%v\n%s", err, out)
	}
}

// result is one line of a driver transcript.
type result struct {
	verb    string
	rc      int64
	payload string
}

// transcript maps script line numbers to what the call returned.
type transcript map[int]result

// errTimeout marks a driver that had to be killed.
var errTimeout = errors.New("driver timed out")

// run feeds script to the driver loaded with lib. On error the transcript
// holds whatever the driver finished before it failed, so the caller can
// name the call that hung or crashed.
func (lib library) run(script string) (transcript, error) {
	timeout := driverTimeout
	if lib.timeout > 0 {
		timeout = lib.timeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, driverBin)
	cmd.Stdin = strings.NewReader(script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = libEnv(lib.libDir)
	err := cmd.Run()
	tr, perr := parseTranscript(stdout.Bytes())
	switch {
	case ctx.Err() != nil:
		return tr, fmt.Errorf("%s library: %w after %v (last completed line %d)", lib.name, errTimeout, timeout, tr.last())
	case err != nil:
		return tr, fmt.Errorf("%s library: driver failed after line %d: %v\n%s", lib.name, tr.last(), err, stderr.Bytes())
	case perr != nil:
		return tr, fmt.Errorf("%s library: %v", lib.name, perr)
	}
	return tr, nil
}

// libEnv is the environment with LD_LIBRARY_PATH set to dir alone, so
// that a value inherited from the caller cannot pick the library.
func libEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LD_LIBRARY_PATH=") && !strings.HasPrefix(kv, "LD_PRELOAD=") {
			env = append(env, kv)
		}
	}
	if dir != "" {
		env = append(env, "LD_LIBRARY_PATH="+dir)
	}
	return env
}

func parseTranscript(out []byte) (transcript, error) {
	tr := transcript{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 4)
		if len(f) < 3 {
			return tr, fmt.Errorf("malformed driver output %q", sc.Text())
		}
		n, err1 := strconv.Atoi(f[0])
		rc, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return tr, fmt.Errorf("malformed driver output %q", sc.Text())
		}
		r := result{verb: f[1], rc: rc}
		if len(f) == 4 {
			r.payload = f[3]
		}
		tr[n] = r
	}
	return tr, sc.Err()
}

// last is the highest line number that produced output.
func (tr transcript) last() int {
	m := 0
	for n := range tr {
		m = max(m, n)
	}
	return m
}

// script accumulates driver commands and remembers their line numbers.
type script struct {
	b     strings.Builder
	lines int
}

// add appends one command and returns its line number.
func (s *script) add(format string, args ...any) int {
	s.lines++
	fmt.Fprintf(&s.b, format, args...)
	s.b.WriteByte('\n')
	return s.lines
}

func (s *script) String() string { return s.b.String() }

// runBoth runs one script through both libraries concurrently.
func (h *harness) runBoth(s string) (ref, ours transcript, refErr, oursErr error) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ref, refErr = h.ref.run(s)
	}()
	ours, oursErr = h.ours.run(s)
	wg.Wait()
	return
}

// batchRun says how runBatches runs one kind of policy: how a policy
// becomes script lines (add, returning what check needs to find them),
// where its last line is, and how its results are compared.
type batchRun[C any] struct {
	size    int           // policies per script; 0 for all at once
	timeout time.Duration // for the reference, which may hang (bug #4)
	add     func(p *policy, s *script) C
	last    func(at C) int
	check   func(t *testing.T, p *policy, at C, ref, ours transcript, seed uint64)
}

// runBatches runs policies through both libraries, many to a script, and
// checks each in a subtest with its own seed. A policy on which the
// reference hangs (LIBSECCOMP-BUGS #4) is excused once ours has finished
// it, and the rest of its batch runs again without it.
func runBatches[C any](t *testing.T, h *harness, policies []*policy, seed uint64, b batchRun[C]) {
	t.Helper()
	for len(policies) > 0 {
		batch := policies
		if b.size > 0 {
			batch = policies[:min(len(policies), b.size)]
		}
		var s script
		at := make([]C, len(batch))
		for i, p := range batch {
			at[i] = b.add(p, &s)
		}
		hr := *h
		hr.ref.timeout = b.timeout
		ref, ours, refErr, oursErr := hr.runBoth(s.String())
		rest := 0
		for i, p := range batch {
			end := b.last(at[i]) + 1
			rest = i + 1
			if _, done := ours[end]; !done && oursErr != nil {
				t.Fatalf("%v%v", p, oursErr)
			}
			if _, done := ref[end]; !done && refErr != nil {
				if !errors.Is(refErr, errTimeout) {
					t.Fatalf("%v%v", p, refErr)
				}
				t.Logf("%s: reference hangs (%s)", p.name, bugRuleAddHang)
				break
			}
			t.Run(p.name, func(t *testing.T) { b.check(t, p, at[i], ref, ours, seed+uint64(i)) })
		}
		policies, seed = policies[rest:], seed+uint64(rest)
	}
}

// TestLibraryIdentity makes sure each side of the comparison really runs
// the library it claims to, since both are called libseccomp.so.2 and a
// loader search-path slip would make every other test compare the system
// library with itself.
func TestLibraryIdentity(t *testing.T) {
	h := setup(t)
	var s script
	ver := s.add("version")
	path := s.add("libpath")
	ref, ours, refErr, oursErr := h.runBoth(s.String())
	if refErr != nil || oursErr != nil {
		t.Fatalf("driver: %v; %v", refErr, oursErr)
	}
	sameDir := func(file, dir string) bool {
		a, err1 := filepath.EvalSymlinks(filepath.Dir(file))
		b, err2 := filepath.EvalSymlinks(dir)
		return err1 == nil && err2 == nil && a == b
	}
	if p := ours[path].payload; !sameDir(p, h.ours.libDir) {
		t.Errorf("ours: driver loaded %q, want the libseccomp.so.2 in %s", p, h.ours.libDir)
	}
	if p := ref[path].payload; p == "" || p == "-" {
		t.Errorf("reference: cannot tell which library the driver loaded")
	}
	t.Logf("reference %s from %s; ours %s from %s",
		ref[ver].payload, ref[path].payload, ours[ver].payload, ours[path].payload)
	if h.sameLibrary {
		t.Logf("both sides load %s: SECCOMPTREE_LIBDIR points at the system library, so this run only exercises the harness", ref[path].payload)
	} else if v := ours[ver].payload; !strings.HasPrefix(v, "2.6.") {
		t.Errorf("ours reports version %q, want 2.6.x", v)
	}
}
