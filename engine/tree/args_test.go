package tree

import (
	"encoding/binary"
	"math/rand"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// source draws the choices of a random policy from fuzz input, or from a
// PRNG when the input runs out (nil input: PRNG only).
type source struct {
	data []byte
	rng  *rand.Rand
}

func (s *source) intn(n int) int {
	if len(s.data) > 0 {
		v := int(s.data[0])
		s.data = s.data[1:]
		return v % n
	}
	if s.rng == nil {
		return 0
	}
	return s.rng.Intn(n)
}

func (s *source) u64() uint64 {
	if len(s.data) >= 8 {
		v := binary.LittleEndian.Uint64(s.data)
		s.data = s.data[8:]
		return v
	}
	if s.rng == nil {
		return 0
	}
	return s.rng.Uint64()
}

// datum favours the values where 64-bit comparisons split into words.
func (s *source) datum() uint64 {
	pool := []uint64{0, 1, 2, 5, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
		1 << 32, 1<<32 + 1, 0xffffffff00000000, 0xffffffff80000000, ^uint64(0) - 1, ^uint64(0)}
	switch s.intn(4) {
	case 0:
		return s.u64()
	case 1:
		return uint64(s.intn(8))
	}
	return pool[s.intn(len(pool))]
}

func (s *source) mask() uint64 {
	pool := []uint64{0, 0xff, 0xffffffff, 0xffffffff00000000, 0xff000000ff, ^uint64(0), 1 << 32, 0x80000000}
	if s.intn(3) == 0 {
		return s.u64()
	}
	return pool[s.intn(len(pool))]
}

var argActs = []policy.Action{policy.ActAllow, policy.ActKillProcess, policy.ActTrap, policy.ActLog,
	policy.Errno(1), policy.Errno(2), policy.Errno(3), policy.Trace(4)}

// argPolicy builds a filter for ABI a (or the host's) whose first few
// syscalls get overlapping argument rules. Rules the merge refuses are
// part of the test: they must leave the filter as it was.
func argPolicy(s *source, a *arch.Arch) *policy.Filter {
	f, err := policy.New(policy.ActAllow)
	if err != nil {
		panic(err)
	}
	if a != arch.Host() {
		if err := f.RemoveArch(arch.Host()); err != nil {
			panic(err)
		}
		if err := f.AddArch(a); err != nil {
			panic(err)
		}
	}
	host := arch.Host()
	names := []string{"read", "write", "close"}
	for range 1 + s.intn(12) {
		nr, _ := syscalls.Resolve(host, names[s.intn(len(names))])
		var conds []policy.Cond
		used := [policy.MaxArgs]bool{}
		// A few arguments only, so that rules overlap.
		for range s.intn(7) {
			arg := uint(s.intn(3))
			if s.intn(4) == 0 {
				arg = uint(s.intn(policy.MaxArgs))
			}
			if used[arg] {
				continue
			}
			used[arg] = true
			op := policy.Op(1 + s.intn(7))
			c, err := policy.NewCond(arg, op, s.datum(), s.datum())
			if op == policy.OpMaskedEQ {
				c, err = policy.NewCond(arg, op, s.mask(), s.datum())
			}
			if err != nil {
				panic(err)
			}
			conds = append(conds, c)
		}
		_ = f.AddRule(argActs[s.intn(len(argActs))], int32(nr), conds, false)
	}
	return f
}

// probes lists argument values around every datum of the filter: the
// datum, its neighbours, the other word's edges and sign extensions.
func probes(conds []uint64) []uint64 {
	set := map[uint64]bool{0: true, ^uint64(0): true, 1 << 32: true, 0xffffffff: true, 0xffffffff80000000: true}
	for _, d := range conds {
		lo, hi := d&0xffffffff, d>>32<<32
		for _, v := range []uint64{d, d + 1, d - 1, lo, hi, hi | 0xffffffff, d + 1<<32, d - 1<<32,
			uint64(int64(int32(uint32(d)))), d ^ 1<<31, d ^ 1<<63} {
			set[v] = true
		}
	}
	out := make([]uint64, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	return out
}

// datums collects every value the filter's graphs compare with, as 64-bit
// candidates for either word.
func datums(f *policy.Filter) []uint64 {
	var out []uint64
	seen := map[*policy.Node]bool{}
	var visit func(n *policy.Node)
	visit = func(n *policy.Node) {
		if n == nil {
			return
		}
		for _, m := range n.Level() {
			if seen[m] {
				continue
			}
			seen[m] = true
			d := uint64(m.Datum)
			if m.High {
				d <<= 32
			}
			out = append(out, d, d|uint64(m.Datum), uint64(m.Mask)<<32|uint64(m.Datum))
			visit(m.True.Next)
			visit(m.False.Next)
		}
	}
	for _, t := range f.Tables {
		for _, sc := range t.Syscalls {
			visit(sc.Rules)
		}
	}
	return out
}

// checkArgs compares the generated program with Evaluate on the filter's
// argument-checked syscalls, varying one argument at a time over the
// probes and then all of them at random.
func checkArgs(t *testing.T, f *policy.Filter, rng *rand.Rand) {
	t.Helper()
	prog, err := Generate(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sim.New(prog)
	if err != nil {
		t.Fatalf("invalid program: %v\n%s", err, sim.Disassemble(prog))
	}
	vals := probes(datums(f))
	tab := f.Tables[0]
	tok := tab.Arch.KernelToken()
	try := func(nr int32, args [policy.MaxArgs]uint64) {
		want := f.Evaluate(tok, uint32(nr), args)
		got, _ := p.Run(sim.Data{Nr: nr, Arch: uint32(tok), Args: args}, tab.Arch.BigEndian)
		if policy.Action(got) != want {
			sc := tab.Syscalls[nr]
			t.Fatalf("%s nr %d args %#x: program %v, Evaluate %v\ngraph:\n%v\n%s",
				tab.Arch.Name, nr, args, policy.Action(got), want, sc.Rules, sim.Disassemble(prog))
		}
	}
	for nr := range tab.Syscalls {
		var base [policy.MaxArgs]uint64
		for i := range base {
			base[i] = vals[rng.Intn(len(vals))]
		}
		for i := range base {
			for _, v := range vals {
				args := base
				args[i] = v
				try(nr, args)
			}
		}
		for range 300 {
			var args [policy.MaxArgs]uint64
			for i := range args {
				args[i] = vals[rng.Intn(len(vals))]
			}
			try(nr, args)
		}
	}
}

var argArches = []string{"x86_64", "s390x", "x86"}

func TestArgRulesRandom(t *testing.T) {
	for _, name := range argArches {
		a := arch.MustByName(name)
		t.Run(name, func(t *testing.T) {
			for i := range 300 {
				rng := rand.New(rand.NewSource(int64(i)))
				f := argPolicy(&source{rng: rng}, a)
				checkArgs(t, f, rng)
			}
		})
	}
}

func FuzzArgRules(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add([]byte{3, 1, 2, 0, 3, 4, 1, 5, 0, 1, 9}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		a := arch.MustByName(argArches[int(which)%len(argArches)])
		fl := argPolicy(&source{data: data}, a)
		checkArgs(t, fl, rand.New(rand.NewSource(int64(len(data)))))
	})
}

// TestArgCode pins down the shape of small argument programs: no
// reloads of a word A already holds, no AND for full masks, nothing for
// comparisons that cannot fail.
func TestArgCode(t *testing.T) {
	eq := func(arg uint, v uint64) policy.Cond { c, _ := policy.NewCond(arg, policy.OpEQ, v, 0); return c }
	masked := func(arg uint, m, v uint64) policy.Cond {
		c, _ := policy.NewCond(arg, policy.OpMaskedEQ, m, v)
		return c
	}
	for _, tc := range []struct {
		name  string
		rules [][]policy.Cond
		loads int // argument loads in the program
		ands  int
	}{
		{"one eq", [][]policy.Cond{{eq(0, 1)}}, 2, 0},
		{"two values one arg", [][]policy.Cond{{eq(0, 1)}, {eq(0, 2)}}, 2, 0},
		{"low mask only", [][]policy.Cond{{masked(0, 0xff, 3)}}, 1, 1},
		{"zero mask", [][]policy.Cond{{masked(0, 0, 3), eq(1, 1)}}, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := policy.New(policy.ActAllow)
			if err != nil {
				t.Fatal(err)
			}
			for i, conds := range tc.rules {
				if err := f.AddRule(policy.Errno(uint16(i+1)), 1, conds, false); err != nil {
					t.Fatal(err)
				}
			}
			prog, err := Generate(f)
			if err != nil {
				t.Fatal(err)
			}
			loads, ands := 0, 0
			for _, in := range prog {
				switch {
				case in.Op == opLdAbs && in.K >= offArgs:
					loads++
				case in.Op == opAnd:
					ands++
				}
			}
			if loads != tc.loads || ands != tc.ands {
				t.Errorf("%d argument loads and %d ANDs, want %d and %d\n%s", loads, ands, tc.loads, tc.ands, sim.Disassemble(prog))
			}
			checkArgs(t, f, rand.New(rand.NewSource(1)))
		})
	}
}

// TestEqualitySwitch checks the search over runs of equality tests (the
// socket families or ioctl commands of real profiles): decisions equal
// Evaluate around every datum, mixed with rules that break the run, and
// a lookup among many values costs far fewer instructions than a chain.
func TestEqualitySwitch(t *testing.T) {
	for _, name := range argArches {
		a := arch.MustByName(name)
		t.Run(name, func(t *testing.T) {
			for seed := range 40 {
				rng := rand.New(rand.NewSource(int64(seed)))
				f, err := policy.New(policy.Errno(1))
				if err != nil {
					t.Fatal(err)
				}
				if a != arch.Host() {
					f.RemoveArch(arch.Host())
					f.AddArch(a)
				}
				host := arch.Host()
				nr, _ := syscalls.Resolve(host, "ioctl")
				n := 4 + rng.Intn(80)
				for i := 0; i < n; i++ {
					v := uint64(rng.Intn(1 << 16))
					if rng.Intn(6) == 0 {
						v |= uint64(rng.Intn(4)) << 32
					}
					act := argActs[rng.Intn(len(argActs))]
					c, _ := policy.NewCond(1, policy.OpEQ, v, 0)
					conds := []policy.Cond{c}
					if rng.Intn(8) == 0 {
						// A rule that is not a plain equality
						// splits the run.
						c2, _ := policy.NewCond(2, policy.OpGT, uint64(rng.Intn(10)), 0)
						conds = append(conds, c2)
					}
					_ = f.AddRule(act, int32(nr), conds, false)
				}
				checkArgs(t, f, rng)
			}
		})
	}

	f, _ := policy.New(policy.Errno(1))
	nr, _ := syscalls.Resolve(arch.Host(), "ioctl")
	for i := uint64(0); i < 200; i++ {
		c, _ := policy.NewCond(1, policy.OpEQ, 0x5400+i, 0)
		if err := f.AddRule(policy.ActAllow, int32(nr), []policy.Cond{c}, false); err != nil {
			t.Fatal(err)
		}
	}
	prog, err := Generate(f)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := sim.New(prog)
	tok := uint32(arch.Host().KernelToken())
	worst := 0
	for i := uint64(0); i < 200; i++ {
		_, steps := p.Run(sim.Data{Nr: int32(nr), Arch: tok, Args: [6]uint64{0, 0x5400 + i}}, arch.Host().BigEndian)
		worst = max(worst, steps)
	}
	if worst > 40 {
		t.Errorf("200 ioctl commands: worst lookup %d instructions, want a search (<= 40)", worst)
	}
}

// TestSwitchFallback checks that a policy whose searches would not fit in
// the kernel's limit is emitted with chains instead, and still decides
// as the policy says.
func TestSwitchFallback(t *testing.T) {
	f, _ := policy.New(policy.Errno(1))
	nr, _ := syscalls.Resolve(arch.Host(), "ioctl")
	for i := uint64(0); i < 2500; i++ {
		c, _ := policy.NewCond(1, policy.OpEQ, 0x10000+3*i, 0)
		if err := f.AddRule(policy.ActAllow, int32(nr), []policy.Cond{c}, false); err != nil {
			t.Fatal(err)
		}
	}
	long, _, err := emit(f, true, nil)
	if err != ErrTooLarge {
		t.Fatalf("searches: %d instructions, err %v; the test needs a policy that only fits as chains", len(long), err)
	}
	prog, err := GenerateVerified(f)
	if err != nil {
		t.Fatalf("chained program: %v", err)
	}
	if len(prog) > MaxInstructions {
		t.Fatalf("%d instructions", len(prog))
	}
}

// TestTrampolineReuse checks that jumps to one far target share JAs.
func TestTrampolineReuse(t *testing.T) {
	b := newBuilder()
	far := b.ret(1)
	for i := 0; i < 300; i++ {
		b.ret(uint32(1000 + i))
	}
	for i := 0; i < 50; i++ {
		near := b.ret(uint32(5000 + i))
		b.jump(opJeq, uint32(i), far, near)
	}
	jas := 0
	for _, in := range b.rev {
		if in.Op == opJa {
			jas++
		}
	}
	if jas != 1 {
		t.Errorf("%d trampolines for one far target, want 1", jas)
	}
}

// TestArgTables checks the argument generator's own tables past the
// sizes where they change representation.
func TestArgTables(t *testing.T) {
	var d dataSet
	for round := range 3 {
		d.reset()
		for k := range uint32(300) {
			if !d.add(k * 7919) {
				t.Fatalf("round %d: %d already present", round, k)
			}
		}
		for k := range uint32(300) {
			if d.add(k * 7919) {
				t.Fatalf("round %d: %d absent after adding", round, k)
			}
		}
	}
	var m levelMemo
	nodes := make([]policy.Node, 3*memoList)
	ents := make([]entry, len(nodes))
	for round := range 2 {
		m.reset()
		for i := range nodes {
			k := levelKey{&nodes[i], nil}
			if m.get(k) != nil {
				t.Fatalf("round %d: level %d found before it was put", round, i)
			}
			m.put(k, &ents[i])
		}
		for i := range nodes {
			if m.get(levelKey{&nodes[i], nil}) != &ents[i] {
				t.Fatalf("round %d: level %d lost", round, i)
			}
		}
	}
}
