package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
	"github.com/seccomptree/seccomptree/engine/tree"
)

// BenchmarkTreeOnly times tree.Generate alone on each bench policy, built
// once outside the loop, so that the figure is not drowned by rule adds.
func BenchmarkTreeOnly(b *testing.B) {
	host := arch.Host()
	known := map[string]bool{}
	for n := range syscalls.Table(host) {
		known[n] = true
	}
	ps, err := policies(syscalls.Table(host), known)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range ps {
		f, _ := policy.New(policy.Action(p.Default))
		for _, r := range p.Rules {
			nr, _ := syscalls.Resolve(host, r.Name)
			var cs []policy.Cond
			for _, c := range r.Conds {
				cc, _ := policy.NewCond(uint(c.Arg), policy.Op(c.Op), c.A, c.B)
				cs = append(cs, cc)
			}
			f.AddRule(policy.Action(r.Action), nr, cs, false)
		}
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
// TREE_CPU=name for one policy).
func TestTreeCPU(t *testing.T) {
	if os.Getenv("TREE_CPU") == "" {
		t.Skip("TREE_CPU not set")
	}
	host := arch.Host()
	known := map[string]bool{}
	for n := range syscalls.Table(host) {
		known[n] = true
	}
	ps, err := policies(syscalls.Table(host), known)
	if err != nil {
		t.Fatal(err)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	only := os.Getenv("TREE_CPU")
	for _, p := range ps {
		if only != "1" && only != p.Name {
			continue
		}
		f, _ := policy.New(policy.Action(p.Default))
		for _, r := range p.Rules {
			nr, _ := syscalls.Resolve(host, r.Name)
			var cs []policy.Cond
			for _, c := range r.Conds {
				cc, _ := policy.NewCond(uint(c.Arg), policy.Op(c.Op), c.A, c.B)
				cs = append(cs, cc)
			}
			f.AddRule(policy.Action(r.Action), nr, cs, false)
		}
		n, rounds := 3000, 5
		if v, err := strconv.Atoi(os.Getenv("TREE_CPU_N")); err == nil {
			n, rounds = v, 1 // for instruction counts under valgrind
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
// library; the names known differ slightly from the bench's, which
// resolves them with the system libseccomp.
func TestShape(t *testing.T) {
	if os.Getenv("SHAPE") == "" {
		t.Skip()
	}
	host := arch.Host()
	table := syscalls.Table(host)
	known := map[string]bool{}
	for n := range table {
		known[n] = true
	}
	ps, _ := policies(table, known)
	for _, p := range ps {
		f, _ := policy.New(policy.Action(p.Default))
		for _, r := range p.Rules {
			nr, _ := syscalls.Resolve(host, r.Name)
			var cs []policy.Cond
			for _, c := range r.Conds {
				cc, _ := policy.NewCond(uint(c.Arg), policy.Op(c.Op), c.A, c.B)
				cs = append(cs, cc)
			}
			f.AddRule(policy.Action(r.Action), nr, cs, false)
		}
		prog, err := tree.GenerateVerified(f)
		if err != nil {
			t.Fatal(err)
		}
		st, err := analyse(prog, host, table, tree.Profile())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%-10s len %4d mean %.3f max %2d wmean %.3f cached %d/%d\n", p.Name, st.Len, st.Mean, st.Max, st.Weighted, st.Cached, st.Allowed)
	}
}
