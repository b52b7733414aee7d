package abi_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/tree"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// Argument rules: return codes and decisions must match the reference
// rule for rule, including which of two overlapping rules wins, which
// follows libseccomp's merge and not the order of the calls.

func eqc(arg uint, v uint64) cond                  { return cond{arg: arg, op: cmpEQ, a: v} }
func cmpc(arg uint, op cmpOp, v uint64) cond       { return cond{arg: arg, op: op, a: v} }
func maskc(arg uint, mask, v uint64) cond          { return cond{arg: arg, op: cmpMaskedEQ, a: mask, b: v} }
func argRule(act uint32, conds ...cond) op         { return rule{action: act, nr: nrWrite, conds: conds} }
func argRuleOn(nr int32, act uint32, c ...cond) op { return rule{action: act, nr: nr, conds: c} }

func handWrittenArgs() []*policy {
	return []*policy{
		{name: "two-args", def: actAllow, ops: []op{argRule(actErrno(1), eqc(0, 1)), argRule(actErrno(2), eqc(1, 2))}},
		{name: "two-args-reversed", def: actAllow, ops: []op{argRule(actErrno(2), eqc(1, 2)), argRule(actErrno(1), eqc(0, 1))}},
		{name: "three-args", def: actAllow, ops: []op{
			argRule(actErrno(1), cmpc(2, cmpLT, 1)), argRule(actErrno(2), eqc(1, 2)), argRule(actErrno(3), cmpc(0, cmpNE, 2))}},
		{name: "gt-then-eq", def: actAllow, ops: []op{argRule(actErrno(1), cmpc(0, cmpGT, 5)), argRule(actErrno(2), eqc(0, 7))}},
		{name: "eq-then-gt", def: actAllow, ops: []op{argRule(actErrno(2), eqc(0, 7)), argRule(actErrno(1), cmpc(0, cmpGT, 5))}},
		{name: "broad-then-narrow", def: actAllow, ops: []op{argRule(actErrno(1), eqc(0, 1)), argRule(actErrno(2), eqc(0, 1), eqc(1, 2))}},
		{name: "narrow-then-broad", def: actAllow, ops: []op{argRule(actErrno(2), eqc(0, 1), eqc(1, 2)), argRule(actErrno(1), eqc(0, 1))}},
		{name: "same-chain-twice", def: actAllow, ops: []op{argRule(actErrno(1), eqc(0, 1)), argRule(actErrno(2), eqc(0, 1))}},
		{name: "same-chain-same-action", def: actAllow, ops: []op{argRule(actErrno(1), eqc(0, 1)), argRule(actErrno(1), eqc(0, 1))}},
		{name: "cond-then-uncond", def: actAllow, ops: []op{argRule(actErrno(1), eqc(0, 1)), argRule(actErrno(2))}},
		{name: "uncond-then-cond", def: actAllow, ops: []op{argRule(actErrno(2)), argRule(actErrno(1), eqc(0, 1))}},
		{name: "uncond-twice", def: actAllow, ops: []op{argRule(actErrno(2)), argRule(actErrno(1))}},
		{name: "masked", def: actAllow, ops: []op{
			argRule(actErrno(1), maskc(0, 0xff, 0x1234)), argRule(actErrno(2), maskc(1, 0xffffffff00000000, 0x100000000)),
			argRule(actErrno(3), maskc(2, 0, 5), eqc(3, 4))}},
		{name: "masked-zero-only", def: actAllow, ops: []op{argRule(actErrno(1), maskc(0, 0, 0))}},
		{name: "wide-ordering", def: actAllow, ops: []op{
			argRule(actErrno(1), cmpc(0, cmpGE, 1<<32)), argRule(actErrno(2), cmpc(1, cmpLE, 0xffffffff)),
			argRule(actErrno(3), cmpc(2, cmpLT, 0xffffffff00000000))}},
		{name: "x86-truncates", def: actAllow, ops: []op{archRemove{arch.Native}, archAdd{x86},
			argRuleOn(4, actErrno(1), eqc(0, 0x100000001)), argRuleOn(4, actErrno(2), maskc(1, 0xff000000ff, 0xff00000012)),
			argRuleOn(4, actErrno(3), cmpc(2, cmpGT, 0x1fffffffe))}},
		{name: "lt-le-overlap", def: actAllow, ops: []op{
			argRule(actErrno(1), cmpc(0, cmpLT, 0x100000005)), argRule(actErrno(2), cmpc(0, cmpLE, 0x100000003))}},
		{name: "ne-ne-overlap", def: actAllow, ops: []op{
			argRule(actErrno(1), cmpc(0, cmpNE, 0x100000005), eqc(1, 1)), argRule(actErrno(2), cmpc(0, cmpNE, 0x100000003), eqc(1, 1))}},
		{name: "x86-and-x86_64", def: actKillThread, ops: []op{archAdd{x86},
			argRule(actAllow, cmpc(0, cmpLT, 3)), argRule(actErrno(5), cmpc(0, cmpGE, 0x100000000))}},
	}
}

// argPool are datums that overlap often and sit on the word edges.
var argPool = []uint64{0, 1, 2, 3, 5, 7, 0xff, 0x7fffffff, 0x80000000, 0xffffffff,
	1 << 32, 1<<32 + 1, 0xffffffff00000000, 0xffffffff80000000, ^uint64(0)}

func randomArgPolicy(r *rand.Rand, name string) *policy {
	acts := []uint32{actAllow, actKillProcess, actTrap, actLog, actErrno(1), actErrno(2), actErrno(3), actTrace(9)}
	p := &policy{name: name, def: acts[r.IntN(len(acts))]}
	if r.IntN(6) == 0 {
		p.ops = append(p.ops, archAdd{x86})
	}
	for range 2 + r.IntN(10) {
		ru := rule{action: acts[r.IntN(len(acts))], nr: int32(r.IntN(3)), exact: r.IntN(8) == 0}
		if ru.action == p.def {
			ru.action = actErrno(uint16(10 + r.IntN(3)))
		}
		used := map[uint]bool{}
		for range r.IntN(4) {
			arg := uint(r.IntN(3))
			if used[arg] {
				continue
			}
			used[arg] = true
			c := cond{arg: arg, op: cmpOp(1 + r.IntN(7)), a: argPool[r.IntN(len(argPool))]}
			if c.op == cmpMaskedEQ {
				c.b = argPool[r.IntN(len(argPool))]
			}
			ru.conds = append(ru.conds, c)
		}
		p.ops = append(p.ops, ru)
	}
	return p
}

// argProbes are argument values around every datum of p.
func argProbes(p *policy) []uint64 {
	set := map[uint64]bool{0: true, ^uint64(0): true}
	for _, o := range p.ops {
		ru, ok := o.(rule)
		if !ok {
			continue
		}
		for _, c := range ru.conds {
			for _, d := range []uint64{c.a, c.b, c.a & c.b} {
				for _, v := range []uint64{d, d + 1, d - 1, d & 0xffffffff, d >> 32 << 32, d + 1<<32, d - 1<<32,
					uint64(int64(int32(uint32(d))))} {
					set[v] = true
				}
			}
		}
	}
	out := make([]uint64, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	return out
}

// argInputs varies the three arguments the rules use over the probes, on
// every syscall the rules name and every arch the policy covers.
func argInputs(p *policy, r *rand.Rand) []sim.Data {
	vals := argProbes(p)
	var out []sim.Data
	for _, tok := range p.tokens() {
		for nr := int32(0); nr < 5; nr++ {
			for range 400 {
				d := sim.Data{Nr: nr, Arch: uint32(tok)}
				for i := range 3 {
					d.Args[i] = vals[r.IntN(len(vals))]
				}
				out = append(out, d)
			}
			for i := range 3 {
				for _, v := range vals {
					d := sim.Data{Nr: nr, Arch: uint32(tok)}
					d.Args[i] = v
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// checkArgPolicies runs policies through both libraries and compares
// every return code, then decisions on the argument probes and the usual
// inputs.
func (h *harness) checkArgPolicies(t *testing.T, policies []*policy, seed uint64) {
	runBatches(t, h, policies, seed, batchRun[calls]{
		timeout: 5 * time.Second,
		add:     func(p *policy, s *script) calls { return p.appendTo(s) },
		last:    func(at calls) int { return at.export },
		check:   h.compareArgRun,
	})
}

func (h *harness) compareArgRun(t *testing.T, p *policy, at calls, ref, ours transcript, seed uint64) {
	c := &comparison{}
	lines := append([]int{at.init}, at.ops...)
	for j, n := range append(lines, at.export) {
		if ref[n].rc != ours[n].rc {
			c.failf("%s: returned %d by the reference, %d by ours", callName(p, j), ref[n].rc, ours[n].rc)
		}
	}
	if ref[at.export].rc == 0 && ours[at.export].rc == 0 {
		compareProbes(c, p, ref[at.export].payload, ours[at.export].payload, seed)
	}
	c.report(t, p)
}

func compareProbes(c *comparison, p *policy, refPayload, oursPayload string, seed uint64) {
	refProg, err1 := loadProgram(refPayload)
	oursProg, err2 := loadProgram(oursPayload)
	if err1 != nil || err2 != nil {
		c.failf("programs: reference %v, ours %v", err1, err2)
		return
	}
	bigEndian := arch.Host().BigEndian
	states := accStates(refProg.raw)
	legacy := legacyProgram(p)
	var bad []mismatch
	r := rand.New(rand.NewPCG(seed, 0xa125))
	for _, d := range append(argInputs(p, r), inputs(p, r)...) {
		rd, _ := refProg.sim.Run(d, bigEndian)
		od, _ := oursProg.sim.Run(d, bigEndian)
		switch {
		case rd == od:
		case staleRead(refProg, states, d, bigEndian) && repairable(refProg.raw, states, d, bigEndian, od):
			c.excuse(bugStaleAccumulator)
		case legacy != nil && legacyDecides(legacy, d, bigEndian) == rd:
			c.excuse(bugWeakMerge)
		default:
			bad = append(bad, mismatch{d, rd, od})
		}
	}
	if len(bad) > 0 {
		c.failf("%d argument probes decided differently; first: %v\nreference:\n%s\nours:\n%s",
			len(bad), bad[0], sim.Disassemble(refProg.raw), sim.Disassemble(oursProg.raw))
	}
}

func TestArgRulesHandWritten(t *testing.T) {
	h := setup(t)
	h.checkArgPolicies(t, handWrittenArgs(), 0xa1)
}

func TestArgRulesRandom(t *testing.T) {
	h := setup(t)
	n := 320
	if testing.Short() {
		n = 60
	}
	for start := 0; start < n; start += 40 {
		var policies []*policy
		for i := start; i < start+40 && i < n; i++ {
			r := rand.New(rand.NewPCG(*randomSeed, 0xa000+uint64(i)))
			policies = append(policies, randomArgPolicy(r, fmt.Sprintf("args-%d-%d", *randomSeed, i)))
		}
		h.checkArgPolicies(t, policies, *randomSeed+uint64(start))
	}
}

// bugStaleAccumulator: when a sub-level of a syscall's argument tree ends
// without a decision, libseccomp (2.5.4 and 2.6.1, gen_bpf.c) continues
// with the next node of the parent level, whose code may assume that A
// still holds the word the parent level last loaded. The sub-level loaded
// another word, and unless the layout happened to put a reload in front
// of that node, the comparison reads the wrong word.
const bugStaleAccumulator = "stale accumulator after an argument sub-level (libseccomp gen_bpf; to be listed in LIBSECCOMP-BUGS.md)"

// accState is what A holds: the word loaded last and the AND masks
// applied since.
type accState struct {
	off  uint32
	mask uint32
}

// accStates lists, for each instruction, every state of A that some path
// through the program brings to it. Programs only jump forward, so one
// pass in order sees every predecessor first.
func accStates(prog []bpf.RawInstruction) []map[accState]bool {
	in := make([]map[accState]bool, len(prog)+1)
	in[0] = map[accState]bool{{off: ^uint32(0)}: true}
	flow := func(pc int, s accState) {
		if pc < len(in) {
			if in[pc] == nil {
				in[pc] = map[accState]bool{}
			}
			in[pc][s] = true
		}
	}
	for pc, ins := range prog {
		for s := range in[pc] {
			switch {
			case ins.Op == 0x20: // ld [k]
				flow(pc+1, accState{ins.K, ^uint32(0)})
			case ins.Op == 0x54: // and #k
				flow(pc+1, accState{s.off, s.mask & ins.K})
			case ins.Op == 0x05: // ja
				flow(pc+1+int(ins.K), s)
			case ins.Op&0x07 == 0x05: // conditional jump
				flow(pc+1+int(ins.Jt), s)
				flow(pc+1+int(ins.Jf), s)
			case ins.Op&0x07 == 0x06: // ret
			default:
				flow(pc+1, s)
			}
		}
	}
	return in
}

// staleRead reports whether d's path through the reference compares an
// argument word at an instruction that other paths reach with a different
// word or mask in A: the instruction cannot be right for both.
func staleRead(p *loadedProgram, states []map[accState]bool, d sim.Data, bigEndian bool) bool {
	_, path := p.sim.Trace(d, bigEndian)
	for _, st := range path {
		ins := p.raw[st.PC]
		if ins.Op&0x07 != 0x05 || ins.Op == 0x05 || len(states[st.PC]) < 2 {
			continue
		}
		for s := range states[st.PC] {
			if s.off >= 16 {
				return true
			}
		}
	}
	return false
}

// repairable reports whether the reference program, run with A reloaded
// to one of the states other paths bring to each ambiguous comparison
// (the one the code meant is among them), can reach decision want. It
// keeps the excuse from covering a difference the stale read is not the
// cause of.
func repairable(prog []bpf.RawInstruction, states []map[accState]bool, d sim.Data, bigEndian bool, want uint32) bool {
	words := d.Words(bigEndian)
	value := func(s accState) uint32 {
		if int(s.off/4) >= len(words) {
			return 0
		}
		return words[s.off/4] & s.mask
	}
	var run func(pc int, s accState, budget int) bool
	run = func(pc int, s accState, budget int) bool {
		for ; pc < len(prog) && budget > 0; budget-- {
			ins := prog[pc]
			switch {
			case ins.Op == 0x20:
				s = accState{ins.K, ^uint32(0)}
				pc++
			case ins.Op == 0x54:
				s.mask &= ins.K
				pc++
			case ins.Op == 0x05:
				pc += 1 + int(ins.K)
			case ins.Op&0x07 == 0x05:
				cands := []accState{s}
				if len(states[pc]) > 1 {
					cands = cands[:0]
					for c := range states[pc] {
						cands = append(cands, c)
					}
				}
				for _, c := range cands {
					next := pc + 1 + int(ins.Jf)
					if jumpTaken(ins, value(c)) {
						next = pc + 1 + int(ins.Jt)
					}
					if run(next, c, budget-1) {
						return true
					}
				}
				return false
			case ins.Op == 0x06:
				return ins.K == want
			default:
				return false
			}
		}
		return false
	}
	return run(0, accState{off: ^uint32(0)}, 4096)
}

func jumpTaken(ins bpf.RawInstruction, a uint32) bool {
	switch ins.Op &^ 0x08 {
	case 0x15:
		return a == ins.K
	case 0x25:
		return a > ins.K
	case 0x35:
		return a >= ins.K
	case 0x45:
		return a&ins.K != 0
	}
	return false
}

const bugWeakMerge = "LIBSECCOMP-BUGS #1 (merged 64-bit comparisons, GHSA-4q85-33p6-j5g6)"

// legacyProgram builds p in process with our engine merging as 2.5.4
// does (policy.Filter.Legacy254), or returns nil when the engine cannot
// build it. A difference is put down to bug #1 only where that model
// decides as the reference does.
func legacyProgram(p *policy) *sim.Program {
	f := engineFilter(p, true)
	if f == nil {
		return nil
	}
	prog, err := tree.Generate(f)
	if err != nil {
		return nil
	}
	sp, err := sim.New(prog)
	if err != nil {
		return nil
	}
	return sp
}

func legacyDecides(p *sim.Program, d sim.Data, bigEndian bool) uint32 {
	got, _ := p.Run(d, bigEndian)
	return got
}
