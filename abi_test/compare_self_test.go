package abi_test

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// These tests feed the comparator made-up transcripts, to show that it
// notices what it is meant to notice without needing either library.

func payload(prog []bpf.RawInstruction) string {
	raw := make([]byte, 8*len(prog))
	for i, in := range prog {
		b := raw[8*i:]
		binary.NativeEndian.PutUint16(b, in.Op)
		b[2], b[3] = in.Jt, in.Jf
		binary.NativeEndian.PutUint32(b[4:], in.K)
	}
	return hex.EncodeToString(raw)
}

// allowOne is the program libseccomp would write for "default def, ALLOW
// nr" on the host arch.
func allowOne(nr int32, def uint32) []bpf.RawInstruction {
	return []bpf.RawInstruction{
		{Op: 0x20, K: 4},
		{Op: 0x15, Jt: 1, K: uint32(arch.Host().Token)},
		{Op: 0x06, K: actKillThread},
		{Op: 0x20, K: 0},
		{Op: 0x15, Jf: 1, K: uint32(nr)},
		{Op: 0x06, K: actAllow},
		{Op: 0x06, K: def},
	}
}

// fakeRun renders one policy's transcript with the given return codes
// for its ops and the given program.
func fakeRun(p *policy, rcs []int64, prog []bpf.RawInstruction) (calls, transcript) {
	var s script
	at := p.appendTo(&s)
	tr := transcript{at.init: {verb: "init"}, at.export: {verb: "export", payload: payload(prog)}}
	for i, n := range at.ops {
		tr[n] = result{verb: "op", rc: rcs[i]}
	}
	return at, tr
}

func TestComparator(t *testing.T) {
	host := arch.Host().Token
	one := &policy{name: "one", def: actErrno(1), ops: []op{rule{action: actAllow, nr: 0}}}
	uretprobe := &policy{name: "uretprobe", def: actErrno(1), ops: []op{archAdd{x86}, rule{action: actAllow, nr: uretprobeNr}}}
	tests := []struct {
		name             string
		p                *policy
		refRCs, oursRCs  []int64
		refProg, oursPrg []bpf.RawInstruction
		expect           bool
		wantFail         []string // substrings of the failures, in order
		wantExcused      string
	}{
		{name: "identical", p: one, refRCs: []int64{0}, oursRCs: []int64{0},
			refProg: allowOne(0, actErrno(1)), oursPrg: allowOne(0, actErrno(1))},
		{name: "different decision", p: one, refRCs: []int64{0}, oursRCs: []int64{0},
			refProg: allowOne(0, actErrno(1)), oursPrg: allowOne(1, actErrno(1)),
			wantFail: []string{"2 inputs decided differently"}},
		{name: "different default", p: one, refRCs: []int64{0}, oursRCs: []int64{0},
			refProg: allowOne(0, actErrno(1)), oursPrg: allowOne(0, actErrno(2)),
			wantFail: []string{"reference ERRNO(1), ours ERRNO(2)"}},
		{name: "different return code", p: one, refRCs: []int64{0}, oursRCs: []int64{-22},
			refProg: allowOne(0, actErrno(1)), oursPrg: allowOne(0, actErrno(1)),
			wantFail: []string{"returned 0 by the reference, -22 by ours"}},
		{name: "invalid program", p: one, refRCs: []int64{0}, oursRCs: []int64{0},
			refProg: allowOne(0, actErrno(1)), oursPrg: allowOne(0, actErrno(1))[:6],
			wantFail: []string{"our program: the kernel would refuse it"}},
		{name: "expectation", p: &policy{name: "e", def: actErrno(1), ops: one.ops, expect: []expectation{{host, 0, actKillProcess}}},
			refRCs: []int64{0}, oursRCs: []int64{0}, expect: true,
			refProg: allowOne(0, actErrno(1)), oursPrg: allowOne(0, actErrno(1)),
			wantFail: []string{"ours decides ALLOW, the policy demands KILL_PROCESS"}},
		{name: "uretprobe excused", p: uretprobe, refRCs: []int64{0, errFault}, oursRCs: []int64{0, 0},
			refProg: allowOne(-99, actErrno(1)), oursPrg: allowOne(uretprobeNr, actErrno(1)),
			wantExcused: bugUretprobe},
		{name: "uretprobe excuse covers only its syscall", p: uretprobe, refRCs: []int64{0, errFault}, oursRCs: []int64{0, 0},
			refProg: allowOne(-99, actErrno(1)), oursPrg: allowOne(uretprobeNr+1, actErrno(1)),
			wantFail: []string{"arch 0xc000003e nr 336"}, wantExcused: bugUretprobe},
		{name: "other -14 not excused", p: one, refRCs: []int64{errFault}, oursRCs: []int64{0},
			refProg: allowOne(0, actErrno(1)), oursPrg: allowOne(0, actErrno(1)),
			wantFail: []string{"returned -14 by the reference, 0 by ours"}},
		{name: "number never loaded excused", p: one, refRCs: []int64{0}, oursRCs: []int64{0},
			refProg: []bpf.RawInstruction{
				{Op: 0x20, K: 4},
				{Op: 0x15, Jt: 1, K: uint32(host)},
				{Op: 0x06, K: actKillThread},
				{Op: 0x15, Jf: 1, K: 0}, // compares the arch word
				{Op: 0x06, K: actAllow},
				{Op: 0x06, K: actErrno(1)},
			},
			oursPrg:     allowOne(0, actErrno(1)),
			wantExcused: bugNrNeverLoaded},
		{name: "number never loaded is no excuse on a foreign arch", p: one, refRCs: []int64{0}, oursRCs: []int64{0},
			refProg:  []bpf.RawInstruction{{Op: 0x20, K: 4}, {Op: 0x06, K: actErrno(1)}},
			oursPrg:  allowOne(0, actErrno(1)),
			wantFail: []string{"reference ERRNO(1), ours KILL_THREAD"}, wantExcused: bugNrNeverLoaded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, ref := fakeRun(tt.p, tt.refRCs, tt.refProg)
			_, ours := fakeRun(tt.p, tt.oursRCs, tt.oursPrg)
			c := compareRun(tt.p, at, ref, ours, 1, tt.expect)
			if len(c.failures) != len(tt.wantFail) {
				t.Fatalf("got %d failures, want %d:\n%s", len(c.failures), len(tt.wantFail), strings.Join(c.failures, "\n---\n"))
			}
			for i, want := range tt.wantFail {
				if !strings.Contains(c.failures[i], want) {
					t.Errorf("failure %d does not mention %q:\n%s", i, want, c.failures[i])
				}
			}
			if tt.wantExcused != "" && c.excused[tt.wantExcused] == 0 {
				t.Errorf("nothing excused as %s (excused: %v)", tt.wantExcused, c.excused)
			}
			if tt.wantExcused == "" && len(c.excused) > 0 {
				t.Errorf("excused %v, want nothing excused", c.excused)
			}
		})
	}
}
