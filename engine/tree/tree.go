// Package tree turns a policy into a cBPF program that finds a syscall's
// decision by binary search instead of a linear chain of comparisons.
//
// The program has three layers:
//
//	ld  [arch]                       arch dispatch: one jeq per section,
//	jeq #TOKEN_1, S1                 then the bad-arch action
//	jeq #TOKEN_2, S2
//	ret #BADARCH
//	S1: ld [nr]                      per section: a balanced search over
//	    jge #lo_m, right, left       the gap-free ranges of syscall numbers
//	    ...                          that share one outcome
//	    ret #ACTION
//
// Ranges are computed over the whole 32-bit number space, so the default
// action fills the gaps and the x32/x86_64 split is just two more ranges.
// Consecutive numbers with the same outcome are one range, so a run of
// allowed syscalls costs one comparison, not one per syscall.
//
// The program uses only loads of nr and arch, jumps against constants and
// returns of constants, so the kernel's action cache can prove every
// unconditional allow and skip the filter for it.
//
// Emission is back to front (see builder), which shares identical RET
// instructions and subtrees and places JA trampolines where a target is
// beyond a conditional jump's 255-instruction reach.
package tree

import (
	"errors"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
)

// Opcodes used by generated programs.
const (
	opLdAbs = 0x20 // BPF_LD | BPF_W | BPF_ABS
	opJa    = 0x05 // BPF_JMP | BPF_JA
	opJeq   = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	opJgt   = 0x25 // BPF_JMP | BPF_JGT | BPF_K
	opJge   = 0x35 // BPF_JMP | BPF_JGE | BPF_K
	opJset  = 0x45 // BPF_JMP | BPF_JSET | BPF_K
	opRet   = 0x06 // BPF_RET | BPF_K
	opAnd   = 0x54 // BPF_ALU | BPF_AND | BPF_K
)

// Offsets of struct seccomp_data fields.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16 // args[6], 8 bytes each
)

// ErrTooLarge reports a program over the kernel's instruction limit.
var ErrTooLarge = errors.New("tree: program exceeds 4096 instructions")

// Generate builds the program for f.
func Generate(f *policy.Filter) ([]bpf.RawInstruction, error) {
	b := newBuilder()
	entry := b.ret(uint32(f.Attrs.BadArch))
	sections := f.Sections()
	// Emit back to front: the last section's check is emitted first.
	checks := make([]node, len(sections))
	for i := len(sections) - 1; i >= 0; i-- {
		g := &gen{b: b, arch: sections[i].Tables[0].Arch, def: f.Attrs.Default}
		checks[i] = b.load(offNr, g.search(spans(f, sections[i])))
	}
	for i := len(sections) - 1; i >= 0; i-- {
		entry = b.jump(opJeq, uint32(sections[i].Token), checks[i], entry)
	}
	entry = b.load(offArch, entry)
	prog := b.program(entry)
	if len(prog) > MaxInstructions {
		return nil, ErrTooLarge
	}
	return prog, nil
}

// gen emits one section.
type gen struct {
	b    *builder
	arch *arch.Arch // decides argument word size and byte order
	def  policy.Action
}

// search emits a balanced binary search over rs, which cover a contiguous
// interval, and returns its root.
//
// The split point goes to the right subtree, so the test at each node is
// "nr >= rs[mid].lo". The upper subtree is emitted first, putting the lower
// one, usually the hotter (low syscall numbers), nearer its parent.
func (g *gen) search(rs []span) node {
	if len(rs) == 1 {
		return g.leaf(rs[0].out)
	}
	mid := len(rs) / 2
	hi := g.search(rs[mid:])
	lo := g.search(rs[:mid])
	return g.b.jump(opJge, rs[mid].lo, hi, lo)
}

// leaf emits the code that decides a range's outcome.
func (g *gen) leaf(o outcome) node {
	if o.sc == nil {
		return g.b.ret(uint32(o.act))
	}
	return g.rules(o.sc.Rules)
}
