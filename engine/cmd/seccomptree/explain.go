package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

const explainHelp = `
Show what a BPF program (as seccomp_export_bpf writes it) costs for every
syscall of an architecture (the host's unless -a is given): the decision,
the number of instructions the kernel executes, whether the kernel's action
cache (Linux 5.11 and later) lets the syscall skip the filter entirely, and
the tree depth, the number of conditional jumps on the way. Arguments are
taken as zero.

A summary line and a histogram of instruction counts follow.`

// cost is what one syscall costs under a program.
type cost struct {
	nr     uint32
	name   string
	action policy.Action
	steps  int
	depth  int
	cached bool
}

func runExplain(e *env, args []string) int {
	fs := newFlags(e, "explain", explainHelp)
	var a archFlag
	fs.Var(&a, "a", "architecture `ARCH` whose syscalls to run")
	summary := fs.Bool("s", false, "print only the summary and the histogram")
	operands, status, ok := parse(e, fs, args)
	if !ok {
		return status
	}
	if len(operands) != 1 {
		return e.usagef("explain", "want one BPF file, got %d operands", len(operands))
	}
	prog, err := readProgram(operands[0])
	if err != nil {
		return e.errorf("%s: %v", operands[0], err)
	}
	costs, err := explain(prog, a.get())
	if err != nil {
		return e.errorf("%s: %v", operands[0], err)
	}
	if !*summary {
		writeCosts(e.stdout, costs)
	}
	writeSummary(e.stdout, a.get(), costs)
	return exitOK
}

// explain runs prog for every syscall the ABI has.
func explain(prog []bpf.RawInstruction, a *arch.Arch) ([]cost, error) {
	p, err := sim.New(prog)
	if err != nil {
		return nil, err
	}
	tok := uint32(a.KernelToken())
	var costs []cost
	for nr, name := range syscalls.Numbers(a) {
		if nr < 0 {
			continue // pseudo numbers never reach a filter
		}
		ret, path := p.Trace(sim.Data{Nr: nr, Arch: tok}, a.BigEndian)
		c := cost{
			nr:     uint32(nr),
			name:   name,
			action: policy.Action(ret),
			steps:  len(path),
			cached: sim.Cacheable(prog, tok, uint32(nr), a.BigEndian),
		}
		for _, st := range path {
			in := p.Instruction(st.PC)
			if in.Op&classMask == classJMP && in.Op&opMask != opJA {
				c.depth++
			}
		}
		costs = append(costs, c)
	}
	sort.Slice(costs, func(i, j int) bool { return costs[i].nr < costs[j].nr })
	return costs, nil
}

func writeCosts(w io.Writer, costs []cost) {
	fmt.Fprintf(w, "%10s  %-24s %-14s %5s %6s %5s\n", "NR", "NAME", "ACTION", "INSNS", "CACHED", "DEPTH")
	for _, c := range costs {
		cached := "no"
		if c.cached {
			cached = "yes"
		}
		fmt.Fprintf(w, "%10d  %-24s %-14s %5d %6s %5d\n", c.nr, c.name, c.action, c.steps, cached, c.depth)
	}
}

func writeSummary(w io.Writer, a *arch.Arch, costs []cost) {
	if len(costs) == 0 {
		fmt.Fprintf(w, "%s: no syscalls\n", a.Name)
		return
	}
	var total, maxSteps, maxDepth, allowed, cached int
	hist := map[int]int{}
	for _, c := range costs {
		total += c.steps
		maxSteps = max(maxSteps, c.steps)
		maxDepth = max(maxDepth, c.depth)
		hist[c.steps]++
		if c.action.Kind() == policy.ActAllow {
			allowed++
			if c.cached {
				cached++
			}
		}
	}
	fmt.Fprintf(w, "%s: %d syscalls, instructions mean %.2f max %d, depth max %d, %d allowed, %d of them cached\n",
		a.Name, len(costs), float64(total)/float64(len(costs)), maxSteps, maxDepth, allowed, cached)

	counts := make([]int, 0, len(hist))
	most := 0
	for n, k := range hist {
		counts = append(counts, n)
		most = max(most, k)
	}
	sort.Ints(counts)
	const width = 50
	fmt.Fprintln(w, "instructions  syscalls")
	for _, n := range counts {
		bar := (hist[n]*width + most - 1) / most
		fmt.Fprintf(w, "%12d  %-*s %d\n", n, width, strings.Repeat("#", bar), hist[n])
	}
}
