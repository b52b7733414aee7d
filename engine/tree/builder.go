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
	memo memo
	// tramp holds, per far target, the latest JA emitted to it, which
	// later jumps reuse while it is within their reach; 0 for none.
	tramp []node
}

// key identifies an instruction by what it does and where it goes, not by
// its offsets, which depend on where it is placed.
type key struct {
	op     uint16
	k      uint32
	jt, jf node // for a load, jt is the fall-through node
}

// memo maps keys to the node emitted for them: open addressing over a
// power-of-two table, cheaper than a map for these small keys, and
// cleared without freeing between programs.
type memo struct {
	keys []key
	vals []node // 0: empty slot
	used int
}

func (m *memo) reset() {
	if len(m.keys) == 0 {
		m.keys, m.vals = make([]key, 256), make([]node, 256)
	}
	clear(m.vals)
	m.used = 0
}

func (m *memo) slot(k key) int {
	h := uint64(k.op)<<32 ^ uint64(k.k)
	h ^= uint64(k.jt)<<40 ^ uint64(k.jf)<<20
	h *= 0x9e3779b97f4a7c15
	mask := len(m.keys) - 1
	i := int(h>>32) & mask
	for m.vals[i] != 0 && m.keys[i] != k {
		i = (i + 1) & mask
	}
	return i
}

// find returns the node for k, or 0 and the slot where put would store
// it, valid until the next put.
func (m *memo) find(k key) (node, int) {
	i := m.slot(k)
	return m.vals[i], i
}

// putAt stores k, which find did not find at slot i.
func (m *memo) putAt(i int, k key, n node) {
	if 2*(m.used+1) > len(m.keys) {
		m.put(k, n)
		return
	}
	m.used++
	m.keys[i], m.vals[i] = k, n
}

func (m *memo) put(k key, n node) {
	if 2*(m.used+1) > len(m.keys) {
		keys, vals := m.keys, m.vals
		m.keys, m.vals = make([]key, 2*len(keys)), make([]node, 2*len(vals))
		for i, v := range vals {
			if v != 0 {
				j := m.slot(keys[i])
				m.keys[j], m.vals[j] = keys[i], v
			}
		}
	}
	i := m.slot(k)
	if m.vals[i] == 0 {
		m.used++
	}
	m.keys[i], m.vals[i] = k, n
}

func newBuilder() *builder {
	b := &builder{}
	b.reset()
	return b
}

// reset empties b for another program, keeping its memory.
func (b *builder) reset() {
	b.rev = b.rev[:0]
	b.memo.reset()
	b.tramp = b.tramp[:0]
}

// next is the node the next emitted instruction will be.
func (b *builder) next() node { return node(len(b.rev) + 1) }

// offset is the jump offset from a new instruction at `from` to `to`.
func offset(from, to node) int { return int(from - to - 1) }

// emit appends ins, whose key find did not find at slot i; nothing may
// be memoised in between.
func (b *builder) emit(i int, k key, ins bpf.RawInstruction) node {
	b.rev = append(b.rev, ins)
	n := node(len(b.rev))
	b.memo.putAt(i, k, n)
	return n
}

// ret emits "ret #k".
func (b *builder) ret(k uint32) node {
	kk := key{op: opRet, k: k}
	n, i := b.memo.find(kk)
	if n != 0 {
		return n
	}
	return b.emit(i, kk, bpf.RawInstruction{Op: opRet, K: k})
}

// load emits "ld [off]" falling through to next.
func (b *builder) load(off uint32, next node) node { return b.stmt(opLdAbs, off, next) }

// stmt emits a non-jump instruction that falls through to next; a JA is
// placed before next when next is not the last node written.
func (b *builder) stmt(op uint16, k uint32, next node) node {
	kk := key{op: op, k: k, jt: next}
	n, i := b.memo.find(kk)
	if n != 0 {
		return n
	}
	b.ensureNext(next) // emits nothing memoised
	return b.emit(i, kk, bpf.RawInstruction{Op: op, K: k})
}

// ensureNext makes next the fall-through target by emitting a jump to it
// when it is not the last node written.
//
// When next is a return or a test whose targets are within reach, a copy
// of it does the same in as many instructions as the JA would take, and
// runs one fewer.
func (b *builder) ensureNext(next node) {
	if next == node(len(b.rev)) {
		return
	}
	in := b.rev[next-1]
	switch {
	case in.Op == opRet:
		b.rev = append(b.rev, in)
		return
	case isCondJump(in.Op):
		jt, jf := next-1-node(in.Jt), next-1-node(in.Jf)
		at := b.next()
		if offset(at, jt) <= maxJump && offset(at, jf) <= maxJump {
			in.Jt, in.Jf = uint8(offset(at, jt)), uint8(offset(at, jf))
			b.rev = append(b.rev, in)
			return
		}
	}
	b.ja(next)
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
	n, i := b.memo.find(kk)
	if n != 0 {
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
			// Trampolines are not memoised: i still holds.
			return b.emit(i, kk, bpf.RawInstruction{
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
	for len(b.tramp) <= int(to) {
		b.tramp = append(b.tramp, 0)
	}
	if t := b.tramp[to]; t != 0 && offset(at, t) <= maxJump {
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

// forward returns the code from entry in execution order, in dst's
// memory.
func (b *builder) forward(entry node, dst []bpf.RawInstruction) []bpf.RawInstruction {
	b.ensureNext(entry)
	dst = grow(dst, len(b.rev))
	for i, ins := range b.rev {
		dst[len(dst)-1-i] = ins
	}
	return dst
}

// copyIn emits the forward program prog into b, back to front, and
// returns the node of its first instruction. nodes is scratch. Returns,
// tests and loads go through the memo, so what b already has is shared.
func (b *builder) copyIn(prog []bpf.RawInstruction, nodes []node) node {
	for pc := len(prog) - 1; pc >= 0; pc-- {
		in := prog[pc]
		switch {
		case in.Op == opRet:
			nodes[pc] = b.ret(in.K)
		case in.Op == opJa:
			nodes[pc] = nodes[pc+1+int(in.K)]
		case isCondJump(in.Op):
			nodes[pc] = b.jump(in.Op, in.K, nodes[pc+1+int(in.Jt)], nodes[pc+1+int(in.Jf)])
		default:
			nodes[pc] = b.stmt(in.Op, in.K, nodes[pc+1])
		}
	}
	return nodes[0]
}
