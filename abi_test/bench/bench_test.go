package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/abi_test/internal/testenv"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// TestQuickDenylist runs the -quick path end to end on the smallest
// policy and checks what must hold whatever the numbers are.
func TestQuickDenylist(t *testing.T) {
	libDir := os.Getenv("SECCOMPTREE_LIBDIR")
	if libDir == "" {
		libDir = filepath.Join("..", "..", "build")
	}
	if _, err := os.Stat(filepath.Join(libDir, "libseccomp.so.2")); err != nil {
		testenv.Unavailable(t, "our library is not built: %v", err)
	}
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	if _, err := exec.LookPath(cc); err != nil {
		testenv.Unavailable(t, "no C compiler: %v", err)
	}
	if _, err := os.Stat("/usr/include/seccomp.h"); err != nil {
		testenv.Unavailable(t, "system libseccomp headers: %v", err)
	}

	cfg := Config{LibDir: libDir, Runs: 3, Iters: 2000, Policies: []string{"denylist"},
		Live: true, StartupRuns: 2, Progress: &bytes.Buffer{}}
	res, err := collect(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range res.StartupOrder {
		if s := res.Startup[l]; s.Wall <= 0 || s.Threads < 1 || s.RSSKiB <= 0 || s.VSizeKiB <= 0 {
			t.Errorf("%s: implausible start-up figures %+v", l, s)
		}
	}
	if len(res.StartupOrder) != 2 {
		t.Errorf("start-up measured for %v, want ours and the system's", res.StartupOrder)
	}
	if len(res.Rows) != 4 {
		t.Fatalf("%d rows, want one per library and one without self-check (4)", len(res.Rows))
	}
	for _, r := range res.Rows {
		if r.Gen.Err != "" {
			t.Errorf("%s: %s", r.Lib.Label, r.Gen.Err)
			continue
		}
		s := r.Stats
		if s.Len != len(r.Gen.Prog) || s.Max < 1 || s.Mean > float64(s.Max) || s.Weighted > float64(s.Max) {
			t.Errorf("%s: inconsistent stats %+v", r.Lib.Label, s)
		}
		// Without argument rules every allowed syscall is decided by its
		// number alone, so the kernel caches all of them.
		if s.Cached != s.Allowed || s.Allowed == 0 {
			t.Errorf("%s: %d cached of %d allowed", r.Lib.Label, s.Cached, s.Allowed)
		}
		if !(r.Gen.MedNs > 0) {
			t.Errorf("%s: no build time", r.Lib.Label)
		}
		for nr, ret := range s.Decisions {
			want := sim.Cacheable(r.Gen.Prog, uint32(res.Host.Token), uint32(nr), res.Host.BigEndian)
			if (ret == actAllow) != want {
				t.Errorf("%s: nr %d returns %#x but Cacheable = %v", r.Lib.Label, nr, ret, want)
			}
		}
		if runtime.GOARCH != "amd64" || r.Lib.GenOnly {
			continue
		}
		if r.Live == nil || r.Live.Err != "" {
			t.Errorf("%s: live run failed: %+v", r.Lib.Label, r.Live)
			continue
		}
		for _, label := range []string{"base", "allow", "deny", "deny-nofilter"} {
			c, ok := r.Live.Cases[label]
			if !ok || c.Err != "" || c.Min == 0 || c.Min > c.Med ||
				c.BatchMin <= 0 || c.BatchMin > c.BatchMed {
				t.Errorf("%s: live case %s = %+v", r.Lib.Label, label, c)
			}
			// Instructions are counted on the filter the child loaded.
			if filtered := label == "allow" || label == "deny"; filtered != (c.Insns > 0) {
				t.Errorf("%s: live case %s ran %d instructions", r.Lib.Label, label, c.Insns)
			}
		}
	}
	if w := compareDecisions(res.Rows); w != "" {
		t.Error(w)
	}

	var out bytes.Buffer
	if err := report(&out, cfg, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"denylist", "seccomptree", "libseccomp -O1", "libseccomp -O2", "kernel:",
		"the self-check:", "the floor:", "added by the filter:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestPolicyData(t *testing.T) {
	w, err := weights()
	if err != nil {
		t.Fatal(err)
	}
	if len(w) < 10 {
		t.Errorf("profile has %d syscalls", len(w))
	}
	if n := len(nameList("denylist.txt")); n != 60 {
		t.Errorf("denylist.txt has %d names, want 60", n)
	}
}

func TestBestOf(t *testing.T) {
	round := func(min, med uint64, bmin, bmed float64) *LiveResult {
		return &LiveResult{Cases: map[string]Ticks{"deny": {Min: min, Med: med, BatchMin: bmin, BatchMed: bmed, Insns: 8}}}
	}
	got := bestOf([]*LiveResult{round(390, 416, 95.5, 99), round(364, 442, 97, 98), round(416, 390, 94.1, 120)})
	want := Ticks{Min: 364, Med: 416, BatchMin: 94.1, BatchMed: 99, Insns: 8}
	if got.Cases["deny"] != want {
		t.Errorf("bestOf = %+v, want %+v", got.Cases["deny"], want)
	}
	bad := round(1, 1, 1, 1)
	bad.Cases["deny"] = Ticks{Err: "filter returned -1"}
	if got := bestOf([]*LiveResult{round(390, 416, 95.5, 99), bad}); got.Cases["deny"].Err == "" {
		t.Errorf("a failed round was hidden: %+v", got.Cases["deny"])
	}
}
