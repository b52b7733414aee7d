package tree

import (
	"golang.org/x/net/bpf"
)

// maxJump is the reach of a conditional jump's 8-bit offsets.
const maxJump = 255

// MaxInstructions is the kernel's limit on a filter's length (BPF_MAXINSNS).
const MaxInstructions = 4096

// node names an emitted instruction by its distance from the end of the
// program: the last instruction is node 1. Emitting back to front makes
// every jump a forward jump to a node that already exists, so offsets are
// known the moment an instruction is written.
type node int

// builder emits a program back to front. Identical instructions with
// identical targets are emitted once and shared, which is what merges equal
// RET blocks and equal subtrees. A jump that cannot reach its target gets a
// JA trampoline placed right before it.
type builder struct {
	rev  []bpf.RawInstruction // in reverse order: rev[0] is the last instruction
	memo map[key]node
	// tramp holds, per far target, the latest JA emitted to it, which
	// later jumps reuse while it is within their reach.
	tramp map[node]node
}

// key identifies an instruction by what it does and where it goes, not by
// its offsets, which depend on where it is placed.
type key struct {
	op     uint16
	k      uint32
	jt, jf node // for a load, jt is the fall-through node
}

func newBuilder() *builder {
	return &builder{memo: map[key]node{}, tramp: map[node]node{}}
}

// next is the node the next emitted instruction will be.
func (b *builder) next() node { return node(len(b.rev) + 1) }

// offset is the jump offset from a new instruction at `from` to `to`.
func offset(from, to node) int { return int(from - to - 1) }

func (b *builder) emit(k key, ins bpf.RawInstruction) node {
	b.rev = append(b.rev, ins)
	n := node(len(b.rev))
	b.memo[k] = n
	return n
}

// ret emits "ret #k".
func (b *builder) ret(k uint32) node {
	kk := key{op: opRet, k: k}
	if n, ok := b.memo[kk]; ok {
		return n
	}
	return b.emit(kk, bpf.RawInstruction{Op: opRet, K: k})
}

// load emits "ld [off]" falling through to next.
func (b *builder) load(off uint32, next node) node { return b.stmt(opLdAbs, off, next) }

// stmt emits a non-jump instruction that falls through to next; a JA is
// placed before next when next is not the last node written.
func (b *builder) stmt(op uint16, k uint32, next node) node {
	kk := key{op: op, k: k, jt: next}
	if n, ok := b.memo[kk]; ok {
		return n
	}
	b.ensureNext(next)
	return b.emit(kk, bpf.RawInstruction{Op: op, K: k})
}

// ensureNext makes next the fall-through target by emitting a jump to it
// when it is not the last node written.
func (b *builder) ensureNext(next node) {
	if next != node(len(b.rev)) {
		b.ja(next)
	}
}

// ja emits an unconditional jump, which reaches any node.
func (b *builder) ja(to node) node {
	// Not memoised: a JA is only useful right where it is placed.
	b.rev = append(b.rev, bpf.RawInstruction{Op: opJa, K: uint32(offset(b.next(), to))})
	return node(len(b.rev))
}

// jump emits a conditional jump "if A <op> k goto jt else goto jf".
// Targets out of the 8-bit reach go through JA trampolines. When both
// targets are the same node no test is needed.
func (b *builder) jump(op uint16, k uint32, jt, jf node) node {
	if jt == jf {
		return jt
	}
	kk := key{op: op, k: k, jt: jt, jf: jf}
	if n, ok := b.memo[kk]; ok {
		return n
	}
	// A trampoline for jt sits between the jump and jf's trampoline, so
	// placing one can push the other out of reach: repeat until both fit.
	for {
		at := b.next()
		switch {
		case offset(at, jf) > maxJump:
			jf = b.trampoline(at, jf)
		case offset(at, jt) > maxJump:
			jt = b.trampoline(at, jt)
		default:
			return b.emit(kk, bpf.RawInstruction{
				Op: op, K: k,
				Jt: uint8(offset(at, jt)), Jf: uint8(offset(at, jf)),
			})
		}
	}
}

// trampoline returns a JA to the far node to, for a jump placed at at:
// the latest one to the same node if at can still reach it, else a new
// one placed right here.
func (b *builder) trampoline(at, to node) node {
	if t, ok := b.tramp[to]; ok && offset(at, t) <= maxJump {
		return t
	}
	t := b.ja(to)
	b.tramp[to] = t
	return t
}

// program returns the instructions in execution order, entry last emitted.
func (b *builder) program(entry node) []bpf.RawInstruction {
	b.ensureNext(entry)
	out := make([]bpf.RawInstruction, len(b.rev))
	for i, ins := range b.rev {
		out[len(out)-1-i] = ins
	}
	return out
}
