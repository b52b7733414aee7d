package abi_test

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// batchSize bounds how many policies share one driver process: large
// enough to amortise start-up, small enough that a hang loses little.
const batchSize = 64

// inputKey identifies the decisions for one syscall on one arch.
type inputKey struct {
	token arch.Token
	nr    int32
}

// decodeProgram turns the driver's hex dump of seccomp_export_bpf output,
// an array of struct sock_filter in host byte order, into instructions.
func decodeProgram(payload string) ([]bpf.RawInstruction, error) {
	if payload == "-" {
		return nil, nil
	}
	raw, err := hex.DecodeString(payload)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	return sim.Decode(raw, binary.NativeEndian)
}

// foreignTokens are arches a typical policy does not name; a filter must
// send all of them to its bad-arch action, whatever the number.
var foreignTokens = []arch.Token{
	arch.MustByName("x86").Token,
	arch.MustByName("aarch64").Token,
	arch.MustByName("arm").Token,
	arch.MustByName("s390x").Token,
	arch.MustByName("mips").Token,
	arch.MustByName("riscv64").Token,
	0,
	0xffffffff,
}

// edgeNrs are numbers around the boundaries a generator might get wrong:
// the x32 bit, the sign bit, and pseudo-syscall numbers.
var edgeNrs = []int32{0x3fffffff, 0x7fffffff, -0x80000000, -1, -2, -10191, -10001}

// fullNrs is every number compared on arches the filter covers: 0..1023,
// the edges, and the start of the x32 range.
var fullNrs = func() []int32 {
	var nrs []int32
	for nr := range int32(1024) {
		nrs = append(nrs, nr)
	}
	for nr := range int32(601) {
		nrs = append(nrs, arch.X32SyscallBit+nr)
	}
	return append(nrs, edgeNrs...)
}()

// sampleNrs is the cheaper set used for arches the filter ignores.
var sampleNrs = func() []int32 {
	var nrs []int32
	for nr := int32(0); nr < 1024; nr += 7 {
		nrs = append(nrs, nr, arch.X32SyscallBit+nr)
	}
	return append(nrs, edgeNrs...)
}()

// argPool supplies argument values: the edges of 32- and 64-bit ranges
// and some noise.
func argValue(r *rand.Rand) uint64 {
	switch r.IntN(6) {
	case 0:
		return 0
	case 1:
		return uint64(r.IntN(8))
	case 2:
		return 0xffffffff
	case 3:
		return 1 << 32
	case 4:
		return ^uint64(0)
	}
	return r.Uint64()
}

// inputs lists the seccomp_data values on which the two programs must
// agree.
func inputs(p *policy, r *rand.Rand) []sim.Data {
	var out []sim.Data
	add := func(token arch.Token, nrs []int32) {
		for _, nr := range nrs {
			d := sim.Data{Nr: nr, Arch: uint32(token), IP: r.Uint64()}
			for i := range d.Args {
				d.Args[i] = argValue(r)
			}
			out = append(out, d)
		}
	}
	named := map[arch.Token]bool{}
	for _, t := range p.tokens() {
		named[t] = true
		add(t, fullNrs)
	}
	for _, t := range foreignTokens {
		if !named[t] {
			add(t, sampleNrs)
		}
	}
	return out
}

// mismatch is one input on which the libraries disagree.
type mismatch struct {
	d         sim.Data
	ref, ours uint32
}

func (m mismatch) String() string {
	return fmt.Sprintf("arch %#x nr %d (%#x) args %#x: reference %s, ours %s",
		m.d.Arch, m.d.Nr, uint32(m.d.Nr), m.d.Args, actionName(m.ref), actionName(m.ours))
}

// comparison is the verdict on one policy, kept as data so that the
// comparator itself can be tested.
type comparison struct {
	failures []string       // each a complete, self-explanatory message
	excused  map[string]int // bug name -> differences it explains
}

func (c *comparison) failf(format string, args ...any) {
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

func (c *comparison) excuse(bug string) {
	if c.excused == nil {
		c.excused = map[string]int{}
	}
	c.excused[bug]++
}

// compareCodes compares the return code of every call of p, excusing
// documented reference bugs (and recording in skip the inputs whose
// decisions they explain). It reports false when a call has no result in
// either transcript, after which nothing else can be compared.
func (c *comparison) compareCodes(p *policy, at calls, ref, ours transcript, skip map[inputKey]string) bool {
	lines := append(append([]int{at.init}, at.ops...), at.export)
	for i, n := range lines {
		rr, okr := ref[n]
		or, oko := ours[n]
		if !okr || !oko {
			c.failf("line %d: no result (reference %v, ours %v)", n, okr, oko)
			return false
		}
		if rr.rc == or.rc {
			continue
		}
		if i > 0 && i <= len(p.ops) {
			if bug, k := rcExcuse(p.ops[i-1], rr.rc, or.rc); bug != "" {
				c.excuse(bug)
				if k != nil {
					skip[*k] = bug
				}
				continue
			}
		}
		c.failf("%s: returned %d by the reference, %d by ours", callName(p, i), rr.rc, or.rc)
	}
	return true
}

// compareRun checks one policy's calls and programs, given both
// libraries' transcripts.
func compareRun(p *policy, at calls, ref, ours transcript, seed uint64, expect bool) *comparison {
	c := &comparison{}
	skip := map[inputKey]string{}
	if !c.compareCodes(p, at, ref, ours, skip) {
		return c
	}
	if ref[at.export].rc != 0 || ours[at.export].rc != 0 {
		return c
	}

	refProg, err1 := loadProgram(ref[at.export].payload)
	oursProg, err2 := loadProgram(ours[at.export].payload)
	if err1 != nil {
		c.failf("reference program: %v", err1)
	}
	if err2 != nil {
		c.failf("our program: %v", err2)
	}
	if err1 != nil || err2 != nil {
		return c
	}
	compareDecisions(c, p, refProg, oursProg, skip, seed, expect)
	return c
}

func callName(p *policy, i int) string {
	switch {
	case i == 0:
		return fmt.Sprintf("init %#x", p.def)
	case i <= len(p.ops):
		return p.ops[i-1].command()
	}
	return "export"
}

// loadedProgram is an exported filter, decoded and validated.
type loadedProgram struct {
	raw []bpf.RawInstruction
	sim *sim.Program
}

func loadProgram(payload string) (*loadedProgram, error) {
	raw, err := decodeProgram(payload)
	if err != nil {
		return nil, err
	}
	p, err := sim.New(raw)
	if err != nil {
		return nil, fmt.Errorf("the kernel would refuse it: %v\n%s", err, sim.Disassemble(raw))
	}
	return &loadedProgram{raw: raw, sim: p}, nil
}

// maxListed caps how many disagreements one policy reports in detail.
const maxListed = 10

// With expect set, the policy's own expectations are checked against our
// program as well.
func compareDecisions(c *comparison, p *policy, ref, ours *loadedProgram, skip map[inputKey]string, seed uint64, expect bool) {
	bigEndian := arch.Host().BigEndian
	var bad []mismatch
	for _, d := range inputs(p, rand.New(rand.NewPCG(seed, 0x5eccc0))) {
		rd, _ := ref.sim.Run(d, bigEndian)
		od, _ := ours.sim.Run(d, bigEndian)
		if rd == od {
			continue
		}
		if bug, ok := skip[inputKey{arch.Token(d.Arch), d.Nr}]; ok {
			c.excuse(bug)
			continue
		}
		if bug := decisionExcuse(p, ref.sim, d, rd, bigEndian); bug != "" {
			c.excuse(bug)
			continue
		}
		bad = append(bad, mismatch{d, rd, od})
	}
	for _, e := range p.expect {
		if !expect {
			break
		}
		d := sim.Data{Nr: e.nr, Arch: uint32(e.token)}
		if got, _ := ours.sim.Run(d, bigEndian); got != e.action {
			c.failf("arch %#x nr %d: ours decides %s, the policy demands %s\nour program:\n%s",
				uint32(e.token), e.nr, actionName(got), actionName(e.action), sim.Disassemble(ours.raw))
		}
	}
	if len(bad) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d inputs decided differently; first %d:\n", len(bad), min(len(bad), maxListed))
	for _, m := range bad[:min(len(bad), maxListed)] {
		fmt.Fprintf(&b, "  %v\n", m)
	}
	fmt.Fprintf(&b, "reference program:\n%s\nour program:\n%s", sim.Disassemble(ref.raw), sim.Disassemble(ours.raw))
	c.failures = append(c.failures, b.String())
}

// report turns a comparison into test failures.
func (c *comparison) report(t *testing.T, p *policy) {
	t.Helper()
	for bug, n := range c.excused {
		t.Logf("excused %d differences as %s", n, bug)
	}
	for _, f := range c.failures {
		t.Errorf("%v%s", p, f)
	}
}

// checkPolicies builds every policy through both libraries and compares
// the results, one subtest per policy. seed makes the inputs reproducible.
func (h *harness) checkPolicies(t *testing.T, policies []*policy, seed uint64) {
	for start := 0; start < len(policies); start += batchSize {
		batch := policies[start:min(start+batchSize, len(policies))]
		var s script
		at := make([]calls, len(batch))
		for i, p := range batch {
			at[i] = p.appendTo(&s)
		}
		ref, ours, refErr, oursErr := h.runBoth(s.String())
		for i, p := range batch {
			end := at[i].export + 1
			if _, done := ref[end]; !done && refErr != nil {
				t.Errorf("%v%v\n(%s if the unfinished call is an argument rule)", p, refErr, bugRuleAddHang)
				t.Errorf("%d later policies in this batch not compared", len(batch)-i-1)
				break
			}
			if _, done := ours[end]; !done && oursErr != nil {
				t.Errorf("%v%v", p, oursErr)
				t.Errorf("%d later policies in this batch not compared", len(batch)-i-1)
				break
			}
			i, p := i, p
			t.Run(p.name, func(t *testing.T) {
				t.Parallel()
				if h.sameLibrary && len(p.expect) > 0 {
					t.Log("both sides are one library: not checking the policy's expectations")
				}
				compareRun(p, at[i], ref, ours, seed+uint64(start+i), !h.sameLibrary).report(t, p)
			})
		}
	}
}
