package tree

import (
	"math/rand"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// check runs prog for every nr in 0..1023 plus the edges of the number
// space, for every ABI token, and compares with the policy's meaning.
func check(t *testing.T, f *policy.Filter) []int {
	t.Helper()
	prog, err := Generate(f)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sim.New(prog)
	if err != nil {
		t.Fatalf("invalid program: %v\n%s", err, disasm(prog))
	}
	var nrs []uint32
	for nr := uint32(0); nr < 1024; nr++ {
		nrs = append(nrs, nr)
	}
	nrs = append(nrs, 0x3fffffff, 0x40000000, 0x40000001, 0x40000000+1023, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff)
	var steps []int
	for _, a := range arch.All {
		tok := a.KernelToken()
		for _, nr := range nrs {
			want := f.Evaluate(tok, nr, [6]uint64{})
			got, n := p.Run(sim.Data{Nr: int32(nr), Arch: uint32(tok)}, a.BigEndian)
			if policy.Action(got) != want {
				t.Fatalf("%s nr %#x: got %v, want %v\n%s", a, nr, policy.Action(got), want, sim.Disassemble(prog))
			}
			// Every unconditional allow must be one the kernel's
			// action cache can prove, and nothing else may be.
			uncond := want == policy.ActAllow && unconditional(f, tok, nr)
			if c := sim.Cacheable(prog, uint32(tok), nr, a.BigEndian); c != uncond {
				t.Fatalf("%s nr %#x: cacheable %v, unconditional allow %v\n%s", a, nr, c, uncond, sim.Disassemble(prog))
			}
			steps = append(steps, n)
		}
	}
	return steps
}

// unconditional reports whether the decision for nr in section tok does
// not depend on the arguments.
func unconditional(f *policy.Filter, tok arch.Token, nr uint32) bool {
	for _, s := range f.Sections() {
		if s.Token == tok {
			sc := f.Lookup(s, nr)
			if sc == nil || s.Foreign(nr) {
				return true
			}
			_, ok := sc.Unconditional()
			return ok
		}
	}
	return true
}

func TestGenerate(t *testing.T) {
	host := arch.Host()
	for _, tc := range []struct {
		name   string
		def    policy.Action
		rules  map[int32]policy.Action
		arches []string
	}{
		{name: "empty allow", def: policy.ActAllow},
		{name: "empty kill", def: policy.ActKillProcess},
		{name: "one allow", def: policy.ActKillThread, rules: map[int32]policy.Action{0: policy.ActAllow}},
		{name: "run", def: policy.Errno(1), rules: map[int32]policy.Action{3: policy.ActAllow, 4: policy.ActAllow, 5: policy.ActAllow, 9: policy.ActLog}},
		{name: "high", def: policy.ActTrap, rules: map[int32]policy.Action{1000: policy.Trace(7), 1023: policy.ActAllow}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := policy.New(tc.def)
			if err != nil {
				t.Fatal(err)
			}
			for nr, act := range tc.rules {
				if err := f.AddRule(act, nr, nil, false); err != nil {
					t.Fatalf("rule %d: %v", nr, err)
				}
			}
			_ = host
			check(t, f)
		})
	}
}

// TestRandom checks random allow/deny/errno policies, dense enough that
// far jumps and long runs both occur.
func TestRandom(t *testing.T) {
	acts := []policy.Action{policy.ActAllow, policy.ActKillProcess, policy.ActKillThread, policy.ActTrap, policy.ActLog, policy.Errno(1), policy.Errno(13), policy.Trace(3)}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		f, err := policy.New(acts[rng.Intn(len(acts))])
		if err != nil {
			t.Fatal(err)
		}
		n := rng.Intn(400)
		for j := 0; j < n; j++ {
			act := acts[rng.Intn(len(acts))]
			if act == f.Attrs.Default {
				continue
			}
			nr := int32(rng.Intn(1024))
			if rng.Intn(5) == 0 {
				// Argument rules interleave with plain ones; merge
				// refusals (EEXIST) are part of the semantics.
				c, _ := policy.NewCond(uint(rng.Intn(6)), policy.Op(1+rng.Intn(7)), rng.Uint64()>>uint(rng.Intn(64)), rng.Uint64())
				f.AddRule(act, nr, []policy.Cond{c}, false)
				continue
			}
			if err := f.AddRule(act, nr, nil, false); err != nil {
				t.Fatal(err)
			}
		}
		check(t, f)
	}
}
