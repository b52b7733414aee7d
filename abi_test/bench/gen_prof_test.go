package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
	"github.com/seccomptree/seccomptree/engine/tree"
	"golang.org/x/net/bpf"
)

// The tests and benchmarks here build the bench policies with the engine
// alone, without the C boundary, for profiling and for quick looks at the
// shape (go test -bench GoSide -cpuprofile ..., TREE_CPU=1, SHAPE=1). The
// figures the README quotes come from make bench, not from here.

// enginePolicies returns the bench policies with names resolved on the
// host; known is every name the engine knows, which differs slightly from
// the bench's (it asks the system libseccomp).
func enginePolicies(tb testing.TB) ([]*Policy, map[string]int32) {
	tb.Helper()
	table := syscalls.Table(arch.Host())
	known := map[string]bool{}
	for n := range table {
		known[n] = true
	}
	ps, err := policies(table, known)
	if err != nil {
		tb.Fatal(err)
	}
	return ps, table
}

// BenchmarkGoSide builds and generates each policy, with and without the
// self-check.
func BenchmarkGoSide(b *testing.B) {
	ps, _ := enginePolicies(b)
	for _, p := range ps {
		for _, verify := range []bool{false, true} {
			name := p.Name
			if verify {
				name += "/verify"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					f := build(p)
					var err error
					if verify {
						_, err = tree.GenerateVerified(f)
					} else {
						_, err = tree.Generate(f)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkTreeOnly times tree.Generate alone, on filters built once.
func BenchmarkTreeOnly(b *testing.B) {
	ps, _ := enginePolicies(b)
	for _, p := range ps {
		f := build(p)
		b.Run(p.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tree.Generate(f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTreeCPU reports the CPU time of tree.Generate per policy, which a
// loaded machine distorts less than wall time (TREE_CPU=1 to run, or
// TREE_CPU=name for one policy; TREE_CPU_N=n runs it n times once, for
// instruction counts under callgrind).
func TestTreeCPU(t *testing.T) {
	only := os.Getenv("TREE_CPU")
	if only == "" {
		t.Skip("TREE_CPU not set")
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	ps, _ := enginePolicies(t)
	for _, p := range ps {
		if only != "1" && only != p.Name {
			continue
		}
		f := build(p)
		n, rounds := 3000, 5
		if v, err := strconv.Atoi(os.Getenv("TREE_CPU_N")); err == nil {
			n, rounds = v, 1
		}
		best := time.Duration(1 << 62)
		for range rounds {
			start := cpu()
			for range n {
				tree.Generate(f)
			}
			best = min(best, (cpu()-start)/time.Duration(n))
		}
		fmt.Printf("%-10s %8.1f µs\n", p.Name, float64(best)/1e3)
	}
}

// TestShape prints the bench's static figures for every policy straight
// from tree.GenerateVerified (SHAPE=1 to run), without building the
// library.
func TestShape(t *testing.T) {
	if os.Getenv("SHAPE") == "" {
		t.Skip("SHAPE not set")
	}
	for _, r := range engineRows(t) {
		st := r.st
		fmt.Printf("%-10s len %4d mean %.3f max %2d wmean %.3f cached %d/%d\n", r.p.Name, st.Len, st.Mean, st.Max, st.Weighted, st.Cached, st.Allowed)
	}
}

// engineRow is one bench policy as the engine alone generates it.
type engineRow struct {
	p     *Policy
	prog  []bpf.RawInstruction
	st    *Stats
	table map[string]int32
}

// engineRows generates every bench policy with tree.GenerateVerified and
// analyses it as the bench does, counting nmean up to 450.
func engineRows(t *testing.T) []engineRow {
	t.Helper()
	ps, table := enginePolicies(t)
	var rows []engineRow
	for _, p := range ps {
		prog, err := tree.GenerateVerified(build(p))
		if err != nil {
			t.Fatal(err)
		}
		st, err := analyse(prog, arch.Host(), table, 450, tree.Profile())
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, engineRow{p, prog, st, table})
	}
	return rows
}
