package abi_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/seccomptree/seccomptree/engine/arch"
)

var (
	randomSeed  = flag.Uint64("abi.seed", 1, "seed for TestRandomPolicies")
	randomCount = flag.Int("abi.policies", 520, "number of policies TestRandomPolicies builds")
)

var (
	x86     = arch.MustByName("x86").Token
	x32     = arch.MustByName("x32").Token
	x86_64  = arch.MustByName("x86_64").Token
	aarch64 = arch.MustByName("aarch64").Token
)

// allow returns ALLOW rules for nrs.
func allow(nrs ...int32) []op {
	var ops []op
	for _, nr := range nrs {
		ops = append(ops, rule{action: actAllow, nr: nr})
	}
	return ops
}

func span(from, to, step int32) []int32 {
	var nrs []int32
	for nr := from; nr <= to; nr += step {
		nrs = append(nrs, nr)
	}
	return nrs
}

// farJumps spreads rules with varied actions over 0..1023, so that
// comparisons sit more than 255 instructions from their targets.
func farJumps() []op {
	var ops []op
	for i, nr := range span(0, 1023, 3) {
		acts := []uint32{actAllow, actLog, actTrap, actErrno(uint16(i)), actTrace(uint16(i)), actKillProcess}
		ops = append(ops, rule{action: acts[i%len(acts)], nr: nr})
	}
	return ops
}

// Syscall numbers of x86_64, used to write policies readably.
const (
	nrRead      = 0
	nrWrite     = 1
	nrOpen      = 2
	nrClose     = 3
	nrMmap      = 9
	nrGetpid    = 39
	nrExecve    = 59
	nrExit      = 60
	nrPtrace    = 101
	nrMount     = 165
	nrReboot    = 169
	nrExitGroup = 231
	nrOpenat    = 257
	nrUffd      = 323 // userfaultfd
)

func handWritten() []*policy {
	common := []int32{nrRead, nrWrite, nrOpen, nrClose, 5, nrMmap, 10, 11, 12, 13, 14, nrGetpid, nrExit, 202, nrExitGroup, nrOpenat, 262}
	return []*policy{
		{name: "allow-all", def: actAllow,
			expect: []expectation{{x86_64, nrExecve, actAllow}}},
		{name: "kill-allowlist", def: actKillThread, ops: allow(common...),
			expect: []expectation{{x86_64, nrRead, actAllow}, {x86_64, nrExecve, actKillThread}}},
		{name: "eperm-default", def: actErrno(1), ops: allow(common...)},
		{name: "eperm-denylist", def: actAllow, ops: []op{
			rule{action: actErrno(1), nr: nrExecve},
			rule{action: actErrno(1), nr: 322},
			rule{action: actKillProcess, nr: nrPtrace},
			rule{action: actErrno(1), nr: nrMount, exact: true},
			rule{action: actKillThread, nr: nrReboot},
		}},
		{name: "errno-trace", def: actKillProcess, ops: []op{
			rule{action: actErrno(0), nr: 0},
			rule{action: actErrno(1), nr: 1},
			rule{action: actErrno(4095), nr: 2},
			rule{action: actErrno(65535), nr: 3},
			rule{action: actTrace(0), nr: 4},
			rule{action: actTrace(7), nr: 5},
			rule{action: actTrace(65535), nr: 6},
		}},
		{name: "process-trap-log", def: actLog, ops: []op{
			rule{action: actKillProcess, nr: nrExecve},
			rule{action: actTrap, nr: nrPtrace},
			rule{action: actKillThread, nr: nrReboot},
			rule{action: actAllow, nr: nrRead},
		}},
		{name: "allowlist-300", def: actKillProcess, ops: allow(span(0, 299, 1)...),
			expect: []expectation{{x86_64, 299, actAllow}, {x86_64, 300, actKillProcess}}},
		{name: "far-jumps", def: actErrno(38), ops: farJumps()},
		{name: "far-jumps-optimize-2", def: actErrno(38),
			ops: append([]op{attrSet{attrCtlOptimize, 2}}, farJumps()...)},
		{name: "allowlist-300-optimize-2", def: actKillThread,
			ops: append([]op{attrSet{attrCtlOptimize, 2}}, allow(span(0, 299, 1)...)...)},
		{name: "badarch-errno", def: actKillThread,
			ops: append([]op{attrSet{attrActBadArch, actErrno(99)}}, allow(common...)...)},
		{name: "badarch-kill-process", def: actAllow, ops: []op{
			attrSet{attrActBadArch, actKillProcess},
			rule{action: actErrno(1), nr: nrExecve},
		}},
		{name: "x86_64-x86-x32", def: actErrno(1), ops: append([]op{archAdd{x86}, archAdd{x32}},
			allow(nrRead, nrWrite, nrClose, nrGetpid, nrExit, nrExitGroup, nrOpenat, nrMmap)...)},
		{name: "aarch64-only", def: actKillProcess, ops: append([]op{archRemove{arch.Native}, archAdd{aarch64}},
			allow(nrRead, nrWrite, nrClose, nrExitGroup, nrOpenat)...),
			expect: []expectation{{aarch64, 63, actAllow}, {aarch64, 64, actAllow}}},
		{name: "priorities", def: actKillThread, ops: append([]op{
			priority{nrWrite, 255}, priority{nrRead, 10},
		}, allow(span(0, 50, 1)...)...)},
		// LIBSECCOMP-BUGS.md #2, verbatim: the reference never loads the
		// syscall number and gives every x86 call the default action.
		{name: "priority-only-syscall-first", def: actKillThread, ops: append([]op{
			archRemove{arch.Native}, archAdd{x86}, priority{nrUffd, 185},
		}, allow(nrRead, nrWrite)...),
			expect: []expectation{{x86, 3, actAllow}, {x86, 4, actAllow}, {x86, 5, actKillThread}}},
		// LIBSECCOMP-BUGS.md #6: translating x86_64's uretprobe for a
		// second arch needs its name, which 2.5.4 does not know.
		{name: "uretprobe-multi-arch", def: actAllow, ops: []op{
			archAdd{x86},
			rule{action: actErrno(1), nr: uretprobeNr},
			rule{action: actErrno(2), nr: nrPtrace},
		}, expect: []expectation{{x86_64, uretprobeNr, actErrno(1)}}},
	}
}

func TestHandWrittenPolicies(t *testing.T) {
	h := setup(t)
	h.checkPolicies(t, handWritten(), 0x600d)
}

func TestRandomPolicies(t *testing.T) {
	h := setup(t)
	n := *randomCount
	if testing.Short() {
		n = min(n, 100)
	}
	g := generator{maxRules: 350, maxNr: 500}
	policies := make([]*policy, n)
	for i := range policies {
		r := rand.New(rand.NewPCG(*randomSeed, uint64(i)))
		policies[i] = g.policy(r, fmt.Sprintf("seed-%d-%d", *randomSeed, i))
	}
	h.checkPolicies(t, policies, *randomSeed)
}

// errorCases are call sequences whose every return code must match,
// mostly failures. Calls on a NULL context are limited to those the
// reference survives: 2.5.4 (and 2.6.1) dereference NULL in
// seccomp_arch_add, seccomp_arch_remove and seccomp_arch_exist.
var errorCases = []struct {
	name   string
	script []string
}{
	{"null ctx", []string{
		"null rule ALLOW 0", "null rule_exact ALLOW 0", "null export",
		"null attr_get 1", "null attr_set 1 ALLOW", "null priority 0 100",
		"null reset ALLOW", "null release",
	}},
	{"init invalid action", []string{"init 0x12345678", "rule ALLOW 0", "export"}},
	{"init other invalid actions", []string{"init 0x00010000", "init 0x7fe00000", "init 0x7fff0001", "init 0x80000001"}},
	{"init largest data", []string{"init ERRNO(65535)", "rule TRACE(65535) 1", "export"}},
	{"rule invalid action", []string{"init KILL", "rule 0x12345678 0", "rule_exact 0x12345678 0", "rule 0x00040000 0"}},
	{"rule action equals default", []string{"init ERRNO(3)", "rule ERRNO(3) 0", "rule_exact ERRNO(3) 1", "rule ERRNO(4) 2"}},
	{"rule unknown negative syscall", []string{"init KILL", "rule ALLOW -12345", "rule_exact ALLOW -12345", "export"}},
	{"rule syscall -1", []string{"init KILL", "rule ALLOW -1", "attr_set 5 1", "rule ALLOW -1", "rule_exact ALLOW -1", "export"}},
	{"rule conflicting actions", []string{"init KILL", "rule ALLOW 0", "rule ERRNO(1) 0", "rule ALLOW 0", "rule_exact TRAP 0", "export"}},
	{"rule argument index", []string{"init KILL", "rule ALLOW 0 5 EQ 1 0", "rule ALLOW 1 6 EQ 1 0", "rule ALLOW 2 0 EQ 1 0 0 EQ 2 0"}},
	{"rule comparison op", []string{"init KILL", "rule ALLOW 0 0 0 1 0", "rule ALLOW 0 0 8 1 0", "rule ALLOW 0 0 MASKED_EQ 0xff 1"}},
	{"bad attr", []string{"init KILL", "attr_set 99 1", "attr_get 99", "attr_set 0 0", "attr_get 0", "attr_set 1 ALLOW", "attr_get 1"}},
	{"attr values", []string{"init KILL", "attr_set 2 0x12345678", "attr_get 2", "attr_set 2 ERRNO(5)", "attr_get 2",
		"attr_set 8 0", "attr_set 8 3", "attr_set 8 2", "attr_get 8", "attr_get 3", "attr_get 4", "attr_get 5", "attr_get 6", "attr_get 7"}},
	{"arch add unknown", []string{"init KILL", "arch_add 0x12345", "arch_add 0x40000000", "arch_exist 0x12345"}},
	{"arch add twice", []string{"init KILL", "arch_add native", "arch_add 0xc000003e", "arch_add 0x40000003", "arch_add 0x40000003"}},
	{"arch remove absent", []string{"init KILL", "arch_remove 0xc00000b7", "arch_exist 0xc00000b7", "arch_exist native", "arch_exist 0x4000003e"}},
	{"arch remove all then rule", []string{"init KILL", "arch_remove native", "arch_exist native", "rule ALLOW 0", "export"}},
	{"priority", []string{"init KILL", "priority -12345 10", "priority 0 255", "priority 1 0", "export"}},
	{"reset", []string{"init KILL", "rule ALLOW 0", "reset 0x12345678", "reset ERRNO(2)", "rule ERRNO(2) 0", "rule ALLOW 0", "export"}},
	{"rule_exact across arches", []string{"init KILL", "arch_add 0x40000003", "rule_exact ALLOW 0", "rule ALLOW 0"}},
	{"32-bit arch wide datum", []string{"init KILL", "arch_remove native", "arch_add 0x40000003",
		"rule ALLOW 3 0 EQ 0x100000000 0", "rule ALLOW 4 0 EQ 0xffffffff 0"}},
}

func TestErrorParity(t *testing.T) {
	h := setup(t)
	for _, tc := range errorCases {
		t.Run(strings.ReplaceAll(tc.name, " ", "-"), func(t *testing.T) {
			t.Parallel()
			var s script
			for _, line := range tc.script {
				s.add("%s", line)
			}
			ref, ours, refErr, oursErr := h.runBoth(s.String())
			if refErr != nil || oursErr != nil {
				t.Fatalf("driver: reference: %v; ours: %v", refErr, oursErr)
			}
			for i, line := range tc.script {
				r, o := ref[i+1], ours[i+1]
				if r.rc != o.rc {
					t.Errorf("%s: reference returned %d, ours %d", line, r.rc, o.rc)
				}
				// attr_get reports a value; exported programs are
				// compared by behaviour elsewhere, not byte for byte.
				if strings.HasSuffix(r.verb, "attr_get") && r.payload != o.payload {
					t.Errorf("%s: reference read %s, ours %s", line, r.payload, o.payload)
				}
			}
		})
	}
}

// TestRuleAddWatchdog replays LIBSECCOMP-BUGS.md #4. The reference is
// expected to hang, which the harness must report as a timeout at the
// second rule; ours must finish and accept both rules.
func TestRuleAddWatchdog(t *testing.T) {
	h := setup(t)
	var s script
	s.add("init ALLOW")
	first := s.add("rule KILL 1 0 GT 0xfffffffe 0 4 LT 1 0")
	second := s.add("rule ERRNO(1) 1 0 GT 0xfffffffe 0 4 NE 5 0")
	s.add("export")

	ref := h.ref
	ref.timeout = 2 * time.Second
	tr, err := ref.run(s.String())
	switch {
	case errors.Is(err, errTimeout):
		if tr.last() != first {
			t.Errorf("reference timed out after line %d, want %d", tr.last(), first)
		}
		t.Logf("reference hangs as %s: %v", bugRuleAddHang, err)
	case err != nil:
		t.Errorf("reference: %v", err)
	default:
		t.Logf("reference no longer shows %s", bugRuleAddHang)
	}

	if h.sameLibrary {
		t.Skip("both sides are one library: nothing more to learn")
	}
	tr, err = h.ours.run(s.String())
	if err != nil {
		t.Fatalf("%v (ours must not share %s)", err, bugRuleAddHang)
	}
	for _, n := range []int{first, second} {
		if tr[n].rc != 0 {
			t.Errorf("line %d: ours returned %d, want 0", n, tr[n].rc)
		}
	}
}
