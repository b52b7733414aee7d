package tree

import (
	"math/rand"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// waste lists what the threading pass exists to remove from a program:
// instructions no path reaches, loads of the word every path into them
// already left unmasked in A, and tests whose two ways lead to the same
// place. It returns a description of the first one, or "".
func waste(prog []bpf.RawInstruction) (string, int) {
	n := len(prog)
	reached := make([]bool, n)
	holds := make([]int, n) // word A holds unmasked on every path in; -1: unknown or mixed
	for i := range holds {
		holds[i] = -2 // no path yet
	}
	in := func(pc, w int) {
		reached[pc] = true
		switch {
		case holds[pc] == -2:
			holds[pc] = w
		case holds[pc] != w:
			holds[pc] = -1
		}
	}
	in(0, -1)
	for pc, ins := range prog {
		if !reached[pc] {
			return "unreachable", pc
		}
		a := holds[pc]
		switch {
		case isLoad(ins):
			if a == int(ins.K/4) {
				return "redundant load", pc
			}
			in(pc+1, int(ins.K/4))
		case ins.Op == opAnd:
			in(pc+1, -1)
		case ins.Op == opJa:
			in(pc+1+int(ins.K), a)
		case isCondJump(ins.Op):
			if ins.Jt == ins.Jf {
				return "test with one outcome", pc
			}
			in(pc+1+int(ins.Jt), a)
			in(pc+1+int(ins.Jf), a)
		}
	}
	return "", 0
}

// longestPath is the most instructions any path through prog runs,
// whatever the data.
func longestPath(prog []bpf.RawInstruction) int {
	far := make([]int, len(prog))
	for pc := len(prog) - 1; pc >= 0; pc-- {
		ins := prog[pc]
		switch {
		case ins.Op == opRet:
			far[pc] = 1
		case ins.Op == opJa:
			far[pc] = 1 + far[pc+1+int(ins.K)]
		case isCondJump(ins.Op):
			far[pc] = 1 + max(far[pc+1+int(ins.Jt)], far[pc+1+int(ins.Jf)])
		default:
			far[pc] = 1 + far[pc+1]
		}
	}
	return far[0]
}

// TestNoWaste checks random argument policies for what threading
// removes, on every byte order and word size.
func TestNoWaste(t *testing.T) {
	for _, name := range argArches {
		a := arch.MustByName(name)
		t.Run(name, func(t *testing.T) {
			for i := range 200 {
				rng := rand.New(rand.NewSource(int64(i)))
				f := argPolicy(&source{rng: rng}, a)
				prog, err := Generate(f)
				if err != nil {
					t.Fatal(err)
				}
				if what, pc := waste(prog); what != "" {
					t.Fatalf("seed %d: %s at %d\n%s", i, what, pc, disasm(prog))
				}
			}
		})
	}
}

// x86_64Filter returns an empty filter with default def for x86_64 alone,
// whatever the host.
func x86_64Filter(t *testing.T, def policy.Action) *policy.Filter {
	t.Helper()
	host := arch.MustByName("x86_64")
	f, err := policy.New(def)
	if err != nil {
		t.Fatal(err)
	}
	if arch.Host() != host {
		if err := f.AddArch(host); err != nil {
			t.Fatal(err)
		}
		if err := f.RemoveArch(arch.Host()); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// dockerLike is the shape of Docker's default profile on x86_64: most
// syscalls allowed, a scattering denied, and three decided by their
// first argument: socket by family (below 3, or one of a set), personality
// by one of five values, clone by a mask of namespace flags.
func dockerLike(t *testing.T) *policy.Filter {
	t.Helper()
	host := arch.MustByName("x86_64")
	f := x86_64Filter(t, policy.Errno(1))
	nr := func(name string) int32 {
		n, ok := syscalls.Table(host)[name]
		if !ok {
			t.Fatalf("no syscall %s", name)
		}
		return n
	}
	cond := func(op policy.Op, a, b uint64) []policy.Cond {
		c, err := policy.NewCond(0, op, a, b)
		if err != nil {
			t.Fatal(err)
		}
		return []policy.Cond{c}
	}
	deny := map[string]bool{"syslog": true, "lookup_dcookie": true, "acct": true, "mount": true,
		"umount2": true, "swapon": true, "reboot": true, "sethostname": true, "kexec_load": true,
		"ptrace": true, "unshare": true, "setns": true, "bpf": true, "perf_event_open": true,
		"socket": true, "personality": true, "clone": true, "clone3": true, "open_by_handle_at": true}
	for name, n := range syscalls.Table(host) {
		if !deny[name] && n < 450 {
			if err := f.AddRule(policy.ActAllow, n, nil, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	add := func(name string, conds []policy.Cond) {
		if err := f.AddRule(policy.ActAllow, nr(name), conds, false); err != nil {
			t.Fatal(err)
		}
	}
	add("socket", cond(policy.OpLT, 3, 0))
	for _, fam := range []uint64{7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 21, 22, 24, 26, 27, 28, 29,
		30, 31, 32, 33, 35, 36, 39, 41, 42, 43, 44, 45} {
		add("socket", cond(policy.OpEQ, fam, 0))
	}
	for _, p := range []uint64{0, 8, 0x20000, 0x20008, 0xffffffff} {
		add("personality", cond(policy.OpEQ, p, 0))
	}
	add("clone", cond(policy.OpMaskedEQ, 0x7e020000, 0))
	return f
}

// TestLongestPath pins the bound on the longest path, over every syscall
// number and argument value, of a Docker-like policy: the argument rule
// syscalls sit high enough in the tree that their own code does not make
// them the slowest calls by far. It also checks the program is right.
func TestLongestPath(t *testing.T) {
	f := dockerLike(t)
	prog, err := GenerateVerified(f)
	if err != nil {
		t.Fatal(err)
	}
	// 21 before threading and height limits, 17 with them, 15 once
	// single-word regions were searched.
	const bound = 15
	if got := longestPath(prog); got > bound {
		t.Errorf("longest path %d instructions, want at most %d\n%s", got, bound, disasm(prog))
	}
	if what, pc := waste(prog); what != "" {
		t.Errorf("%s at %d\n%s", what, pc, disasm(prog))
	}
	checkArgs(t, f, rand.New(rand.NewSource(1)))
}

// TestCheapLeavesHigher checks the shape's trade directly: a range whose
// code is long ends up shallower than the same range would with a ret.
func TestCheapLeavesHigher(t *testing.T) {
	var s shaper
	w := make([]float64, 40)
	for i := range w {
		w[i] = 1
	}
	depthOf := func(p *plan, x int) int {
		d := 0
		for p.lo != nil {
			if x >= p.k {
				p = p.hi
			} else {
				p = p.lo
			}
			d++
		}
		return d
	}
	flat := make([]int8, 40)
	for i := range flat {
		flat[i] = 1
	}
	costly := make([]int8, 40)
	copy(costly, flat)
	costly[17] = 9
	none := make([]bool, 40)
	d0 := depthOf(s.planTree(w, flat, none), 17)
	d1 := depthOf(s.planTree(w, costly, none), 17)
	if d1 >= d0 {
		t.Errorf("range with 9 instructions of its own at depth %d, with a ret at %d", d1, d0)
	}
	if _, h := planCost(s.planTree(w, costly, none), w, costly, 0); h > 13 {
		t.Errorf("longest path %d", h)
	}
}

// TestRegionSearch checks that a syscall decided by one argument word
// among many values and a range (Docker's socket rule) gets one search
// over the word's pieces: 2+1 instructions of arch and number, two tests
// of the number (the x32 boundary, then a jeq), 3 for the high word, at
// most 4 tests among 18 pieces (with jeq shortcuts) and the ret.
func TestRegionSearch(t *testing.T) {
	host := arch.MustByName("x86_64")
	f := x86_64Filter(t, policy.Errno(1))
	socket := syscalls.Table(host)["socket"]
	add := func(op policy.Op, v uint64) {
		c, err := policy.NewCond(0, op, v, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.AddRule(policy.ActAllow, socket, []policy.Cond{c}, false); err != nil {
			t.Fatal(err)
		}
	}
	add(policy.OpLT, 3)
	for _, fam := range []uint64{7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 21, 22, 24, 26, 27, 28, 29,
		30, 31, 32, 33, 35, 36, 39, 41, 42, 43, 44, 45} {
		add(policy.OpEQ, fam)
	}
	prog, err := GenerateVerified(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := longestPath(prog); got > 13 {
		t.Errorf("longest path %d, want at most 13\n%s", got, disasm(prog))
	}
	checkArgs(t, f, rand.New(rand.NewSource(1)))
}
