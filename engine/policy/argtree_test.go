package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

type argRule struct {
	act   Action
	conds []Cond
	err   error // what AddRule must return
}

func cmp(arg uint, op Op, v uint64) Cond {
	c, err := NewCond(arg, op, v, 0)
	if err != nil {
		panic(err)
	}
	return c
}

// order lists the words a call meets on its way through the first level
// and every first descent, as "a1.hi a1.lo a0.hi ...", to check where the
// merge put each test.
func order(n *Node) string {
	var out []string
	for _, m := range n.Level() {
		half := ".lo"
		if m.High {
			half = ".hi"
		}
		out = append(out, "a"+string(rune('0'+m.Arg))+half+m.Op.String())
	}
	return strings.Join(out, " ")
}

// TestMerge pins down libseccomp's merge: return codes, which rules stay,
// and the order of tests that decides between overlapping rules.
func TestMerge(t *testing.T) {
	e1, e2, e3 := Errno(1), Errno(2), Errno(3)
	for _, tc := range []struct {
		name  string
		rules []argRule
		level string // first level of the graph; "" for none
		calls []struct {
			args [MaxArgs]uint64
			want Action
		}
	}{
		{name: "higher argument first", rules: []argRule{{e1, []Cond{cmp(0, OpEQ, 1)}, nil}, {e2, []Cond{cmp(1, OpEQ, 2)}, nil}},
			level: "a1.hi== a0.hi==",
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{1, 2}, e2}, {[MaxArgs]uint64{1, 3}, e1}, {[MaxArgs]uint64{0, 2}, e2}, {[MaxArgs]uint64{}, ActAllow}}},
		{name: "higher argument first, reversed", rules: []argRule{{e2, []Cond{cmp(1, OpEQ, 2)}, nil}, {e1, []Cond{cmp(0, OpEQ, 1)}, nil}},
			level: "a1.hi== a0.hi==",
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{1, 2}, e2}}},
		{name: "three arguments", rules: []argRule{{e1, []Cond{cmp(2, OpLT, 1)}, nil}, {e2, []Cond{cmp(1, OpEQ, 2)}, nil}, {e3, []Cond{cmp(0, OpNE, 2)}, nil}},
			level: "a2.hi> a1.hi== a0.hi=="},
		{name: "equality before ordering", rules: []argRule{{e1, []Cond{cmp(0, OpGT, 5)}, nil}, {e2, []Cond{cmp(0, OpEQ, 7)}, nil}},
			level: "a0.hi== a0.hi>",
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{7}, e2}, {[MaxArgs]uint64{6}, e1}, {[MaxArgs]uint64{1 << 32}, e1}, {[MaxArgs]uint64{5}, ActAllow}}},
		{name: "equality before ordering, reversed", rules: []argRule{{e2, []Cond{cmp(0, OpEQ, 7)}, nil}, {e1, []Cond{cmp(0, OpGT, 5)}, nil}},
			level: "a0.hi== a0.hi>"},
		{name: "narrower after broader is dropped", rules: []argRule{{e1, []Cond{cmp(0, OpEQ, 1)}, nil}, {e2, []Cond{cmp(0, OpEQ, 1), cmp(1, OpEQ, 2)}, nil}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{1, 2}, e1}}},
		{name: "broader after narrower conflicts", rules: []argRule{{e2, []Cond{cmp(0, OpEQ, 1), cmp(1, OpEQ, 2)}, nil}, {e1, []Cond{cmp(0, OpEQ, 1)}, ErrExist}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{1, 2}, e2}, {[MaxArgs]uint64{1, 3}, ActAllow}}},
		{name: "same chain, other action", rules: []argRule{{e1, []Cond{cmp(0, OpEQ, 1)}, nil}, {e2, []Cond{cmp(0, OpEQ, 1)}, ErrExist}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{1}, e1}}},
		{name: "same chain, same action", rules: []argRule{{e1, []Cond{cmp(0, OpEQ, 1)}, nil}, {e1, []Cond{cmp(0, OpEQ, 1)}, nil}}},
		{name: "unconditional replaces", rules: []argRule{{e1, []Cond{cmp(0, OpEQ, 1)}, nil}, {e2, nil, nil}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{1}, e2}, {[MaxArgs]uint64{0}, e2}}},
		{name: "unconditional stays", rules: []argRule{{e2, nil, nil}, {e1, []Cond{cmp(0, OpEQ, 1)}, nil}, {e3, nil, nil}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{1}, e2}}},
		{name: "masked datum", rules: []argRule{{e1, []Cond{{Arg: 0, Op: OpMaskedEQ, Mask: 0xff, Datum: 0x1234}}, nil}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{0x34}, e1}, {[MaxArgs]uint64{0xff34}, e1}, {[MaxArgs]uint64{0x1234}, e1}, {[MaxArgs]uint64{0x12}, ActAllow}}},
		{name: "zero mask is always true", rules: []argRule{{e1, []Cond{{Arg: 0, Op: OpMaskedEQ, Mask: 0, Datum: 5}, cmp(1, OpEQ, 1)}, nil}},
			level: "a1.hi==",
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{7, 1}, e1}}},
		// LIBSECCOMP-BUGS.md #4: libseccomp never returns from the second
		// add; we must, with both rules in force.
		{name: "shared level grafted twice", rules: []argRule{
			{ActKillThread, []Cond{cmp(0, OpGT, 0xfffffffe), cmp(4, OpLT, 1)}, nil},
			{e1, []Cond{cmp(0, OpGT, 0xfffffffe), cmp(4, OpNE, 5)}, nil}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{0xffffffff, 0, 0, 0, 0}, e1}, {[MaxArgs]uint64{0xffffffff, 0, 0, 0, 5}, ActAllow}, {[MaxArgs]uint64{1 << 32, 0, 0, 0, 0}, e1}}},
		// 2.6.1 keeps the fail action of the tighter upper bound; 2.5.4
		// (LIBSECCOMP-BUGS.md #1) kept the first rule's.
		{name: "overlapping upper bounds", rules: []argRule{{e1, []Cond{cmp(0, OpLT, 0x100000005)}, nil}, {e2, []Cond{cmp(0, OpLE, 0x100000003)}, nil}},
			calls: []struct {
				args [MaxArgs]uint64
				want Action
			}{{[MaxArgs]uint64{0}, e2}, {[MaxArgs]uint64{0x100000004}, e1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := New(ActAllow)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range tc.rules {
				if err := f.AddRule(r.act, 1, r.conds, false); !errors.Is(err, r.err) && err != r.err {
					t.Fatalf("rule %d: AddRule = %v, want %v", i, err, r.err)
				}
			}
			sc := f.Table(arch.Host()).Syscalls[1]
			if tc.level != "" {
				if sc.Rules == nil {
					t.Fatalf("no argument graph")
				}
				if got := order(sc.Rules); got != tc.level {
					t.Errorf("first level %q, want %q\n%v", got, tc.level, sc.Rules)
				}
			}
			for _, c := range tc.calls {
				if got := f.Evaluate(arch.Host().KernelToken(), 1, c.args); got != c.want {
					t.Errorf("args %#x: %v, want %v\n%v", c.args, got, c.want, sc.Rules)
				}
			}
		})
	}
}

// TestRefusedRuleChangesNothing checks that a rule refused on one table
// leaves every table as it was.
func TestRefusedRuleChangesNothing(t *testing.T) {
	f, err := New(ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	narrow := []Cond{cmp(0, OpEQ, 1), cmp(1, OpEQ, 2)}
	if err := f.AddRule(Errno(2), 1, narrow, false); err != nil {
		t.Fatal(err)
	}
	before := f.Table(arch.Host()).Syscalls[1].Rules.String()
	if err := f.AddRule(Errno(1), 1, []Cond{cmp(0, OpEQ, 1)}, false); err != ErrExist {
		t.Fatalf("AddRule = %v, want EEXIST", err)
	}
	if after := f.Table(arch.Host()).Syscalls[1].Rules.String(); after != before {
		t.Errorf("graph changed:\n%s\nwas:\n%s", after, before)
	}
}

// TestCloneIsDeep checks that rules added to a clone leave the original's
// graph alone.
func TestCloneIsDeep(t *testing.T) {
	f, err := New(ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddRule(Errno(1), 1, []Cond{cmp(0, OpGT, 5)}, false); err != nil {
		t.Fatal(err)
	}
	c := f.Clone()
	before := f.Table(arch.Host()).Syscalls[1].Rules.String()
	if err := c.AddRule(Errno(2), 1, []Cond{cmp(0, OpEQ, 7)}, false); err != nil {
		t.Fatal(err)
	}
	if after := f.Table(arch.Host()).Syscalls[1].Rules.String(); after != before {
		t.Errorf("original changed:\n%s\nwas:\n%s", after, before)
	}
	tok := arch.Host().KernelToken()
	if got := c.Evaluate(tok, 1, [MaxArgs]uint64{7}); got != Errno(2) {
		t.Errorf("clone decides %v for a0 == 7, want ERRNO(2)", got)
	}
	if got := f.Evaluate(tok, 1, [MaxArgs]uint64{7}); got != Errno(1) {
		t.Errorf("original decides %v for a0 == 7, want ERRNO(1)", got)
	}
}

// TestThirtyTwoBit checks that 32-bit ABIs compare low words only, with
// the rule's values cut to 32 bits.
func TestThirtyTwoBit(t *testing.T) {
	f, err := New(ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	x86 := arch.MustByName("x86")
	if err := f.RemoveArch(arch.Host()); err != nil {
		t.Fatal(err)
	}
	if err := f.AddArch(x86); err != nil {
		t.Fatal(err)
	}
	hostNr, _ := syscalls.Resolve(arch.Host(), "write")
	nr, _ := syscalls.Resolve(x86, "write")
	if err := f.AddRule(Errno(1), hostNr, []Cond{cmp(0, OpEQ, 0x100000002)}, false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a0   uint64
		want Action
	}{{2, Errno(1)}, {0x500000002, Errno(1)}, {0x100000003, ActAllow}} {
		if got := f.Evaluate(x86.KernelToken(), uint32(nr), [MaxArgs]uint64{tc.a0}); got != tc.want {
			t.Errorf("a0 %#x: %v, want %v", tc.a0, got, tc.want)
		}
	}
}
