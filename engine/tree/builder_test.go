package tree

import (
	"fmt"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/sim"
)

// TestFarBranches sweeps both targets of a jump across the 255 boundary,
// where a JA trampoline becomes necessary, and checks that each path still
// reaches its own return.
func TestFarBranches(t *testing.T) {
	for dt := 250; dt <= 260; dt++ {
		for df := 250; df <= 260; df++ {
			t.Run(fmt.Sprintf("%d_%d", dt, df), func(t *testing.T) {
				b := newBuilder()
				// Two distinct returns, separated from the jump by
				// filler returns so that they sit dt/df away.
				yes := b.ret(1)
				filler := uint32(1000)
				for int(b.next()) < dt+1 {
					b.ret(filler)
					filler++
				}
				no := b.ret(2)
				for int(b.next()) < dt+df {
					b.ret(filler)
					filler++
				}
				entry := b.jump(opJeq, 7, yes, no)
				entry = b.load(offNr, entry)
				prog := b.program(entry)
				for _, tc := range []struct {
					nr   int32
					want uint32
				}{{7, 1}, {8, 2}} {
					got, _, err := sim.Run(prog, sim.Data{Nr: tc.nr}, false)
					if err != nil {
						t.Fatalf("%v\n%s", err, disasm(prog))
					}
					if got != tc.want {
						t.Fatalf("nr %d: got %d, want %d\n%s", tc.nr, got, tc.want, disasm(prog))
					}
				}
			})
		}
	}
}

// TestShare checks that identical returns and jumps are emitted once.
func TestShare(t *testing.T) {
	b := newBuilder()
	a1 := b.ret(5)
	a2 := b.ret(5)
	if a1 != a2 {
		t.Errorf("equal returns emitted twice: %d, %d", a1, a2)
	}
	j1 := b.jump(opJge, 3, a1, b.ret(6))
	j2 := b.jump(opJge, 3, a1, b.ret(6))
	if j1 != j2 {
		t.Errorf("equal jumps emitted twice: %d, %d", j1, j2)
	}
}

func disasm(prog []bpf.RawInstruction) string { return sim.Disassemble(prog) }
