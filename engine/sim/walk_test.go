package sim

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"testing"

	"golang.org/x/net/bpf"
)

// searchProgram is a random program that mostly does what a syscall
// search does, loads of nr and arch and comparisons with constants near
// each other, mixed with everything else Walk must stop at or follow.
func searchProgram(r *rand.Rand, n int) []bpf.RawInstruction {
	for {
		prog := make([]bpf.RawInstruction, 0, n)
		for len(prog) < n-1 {
			left := n - len(prog)
			skip := func() uint8 { return uint8(r.IntN(min(left-1, 256))) }
			switch r.IntN(10) {
			case 0, 1:
				prog = append(prog, stmt(ldAbsW, 4*uint32(r.IntN(2))))
			case 2, 3, 4:
				op := []uint16{opJeq, opJgt, opJge, opJset}[r.IntN(4)]
				prog = append(prog, ins(classJMP|op, skip(), skip(), randomValue(r)))
			case 5:
				prog = append(prog, randomInstruction(r, left))
			case 6:
				prog = append(prog, stmt(retK, uint32(r.IntN(4))))
			case 7:
				prog = append(prog, stmt([]uint16{tax, txa, ldImm, ldxImm}[r.IntN(4)], randomValue(r)))
			case 8:
				prog = append(prog, ins(classJMP|opJeq|srcX, skip(), skip(), 0))
			case 9:
				k := uint32(r.IntN(memWords))
				prog = append(prog, stmt(st, k), stmt(ldMem, k))
			}
		}
		prog = append(prog[:min(len(prog), n-1)], stmt(retK, 7))
		if Validate(prog) == nil {
			return prog
		}
	}
}

// TestWalk checks, on random programs, that the classes Walk reports
// cover every (arch, nr) exactly once and that each class's answer is the
// program's for calls drawn from it, at its ends and inside.
func TestWalk(t *testing.T) {
	defer func(b int) { walkBudget = b }(walkBudget)
	walkBudget = 1 << 12 // programs that split a lot are skipped
	r := rand.New(rand.NewPCG(5, 6))
	walked := 0
	for i := range 3000 {
		prog := searchProgram(r, 2+r.IntN(40))
		if i%3 == 0 {
			prog = randomProgram(r, 30)
		}
		p, _ := New(prog)
		var covHi, covLo uint64
		err := p.Walk(func(c *Class) error {
			// Sum of |Arch|·|Nr| over the classes, in 128 bits.
			h, l := bits.Mul64(c.Arch.Len(), c.Nr.Len())
			var carry uint64
			covLo, carry = bits.Add64(covLo, l, 0)
			covHi += h + carry
			for range 4 {
				d := randomData(r)
				d.Arch = pick(r, c.Arch)
				d.Nr = int32(pick(r, c.Nr))
				for _, big := range []bool{false, true} {
					want, _ := p.Run(d, big)
					got := c.Ret
					if !c.Returns {
						st := c.State.Concrete(d.Arch, uint32(d.Nr))
						w := d.Words(big)
						got = p.Resume(c.PC, &st, &w)
					}
					if got != want {
						t.Fatalf("class arch %#x nr %#x: %#x, Run %#x (returns %v, pc %d)\n%s", d.Arch, uint32(d.Nr), got, want, c.Returns, c.PC, Disassemble(prog))
					}
				}
			}
			return nil
		})
		if errors.Is(err, ErrWalkBudget) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if covHi != 1 || covLo != 0 {
			t.Fatalf("classes cover %#x:%016x calls, want 2^64\n%s", covHi, covLo, Disassemble(prog))
		}
		walked++
	}
	if walked < 2500 {
		t.Errorf("only %d of 3000 programs walked within the budget", walked)
	}
}

// pick draws from iv, often at its ends.
func pick(r *rand.Rand, iv Interval) uint32 {
	switch r.IntN(4) {
	case 0:
		return iv.Lo
	case 1:
		return iv.Hi
	}
	return iv.Lo + uint32(r.Uint64N(iv.Len()))
}

// TestJsetPieces compares the runs with a value-by-value scan.
func TestJsetPieces(t *testing.T) {
	for _, c := range []struct{ lo, hi, k uint32 }{
		{0, 0, 1}, {0, 63, 1}, {0, 63, 0x10}, {5, 40, 0x12}, {0x3ffffff0, 0x40000010, 0x40000000},
		{7, 7, 7}, {0, 100, 0}, {0xffffff00, 0xffffffff, 0x81}, {3, 29, 0xffffffff},
	} {
		var got []Interval
		var gotSet []bool
		err := jsetPieces(c.lo, c.hi, c.k, func(taken bool, piece Interval) error {
			got = append(got, piece)
			gotSet = append(gotSet, taken)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var want []Interval
		var wantSet []bool
		for v := uint64(c.lo); v <= uint64(c.hi); v++ {
			set := uint32(v)&c.k != 0
			if n := len(want); n > 0 && wantSet[n-1] == set {
				want[n-1].Hi = uint32(v)
				continue
			}
			want = append(want, Interval{uint32(v), uint32(v)})
			wantSet = append(wantSet, set)
		}
		if len(got) != len(want) {
			t.Errorf("%#x..%#x jset %#x: %v %v, want %v %v", c.lo, c.hi, c.k, got, gotSet, want, wantSet)
			continue
		}
		for i := range got {
			if got[i] != want[i] || gotSet[i] != wantSet[i] {
				t.Errorf("%#x..%#x jset %#x: %v %v, want %v %v", c.lo, c.hi, c.k, got, gotSet, want, wantSet)
				break
			}
		}
	}
}

// TestWalkBudget checks that a program whose paths explode is refused
// rather than followed for ever: jset #1 splits every number apart.
func TestWalkBudget(t *testing.T) {
	defer func(b int) { walkBudget = b }(walkBudget)
	walkBudget = 1 << 12
	p, err := New([]bpf.RawInstruction{
		stmt(ldAbsW, 0),
		ins(classJMP|opJset, 0, 1, 1),
		stmt(retK, 1),
		stmt(retK, 2),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Walk(func(*Class) error { return nil }); !errors.Is(err, ErrWalkBudget) {
		t.Errorf("Walk = %v, want ErrWalkBudget", err)
	}
}
