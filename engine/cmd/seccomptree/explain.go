package main

import (
	"errors"
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

A summary line and a histogram of instruction counts follow.

With a second file OTHER (for instance the system libseccomp's export of
the same policy), show the two programs side by side instead: per syscall,
each one's decision and instruction count, FILE's under A and OTHER's under
B. A line whose syscall the two decide differently starts with "!"; with -s
only those lines are printed. A summary follows: each program's length, the
mean and maximum of the instructions it executes, how many syscalls it
allows and how many of those the action cache takes, and the number of
syscalls decided differently. A program that checks the architecture but
never for ARCH is refused rather than compared.

Exit status: 0 when the two programs decide every syscall alike, 1 when
they decide any differently, 2 for a usage error or a file that cannot be
read or run. With one file: 0 for success, 1 for an error, 2 for a usage
error.`

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
	summary := fs.Bool("s", false, "print only the summary and the histogram, or with OTHER the summary and the differences")
	operands, status, ok := parse(e, fs, args)
	if !ok {
		return status
	}
	if len(operands) == 2 {
		return runCompare(e, a.get(), *summary, operands[0], operands[1])
	}
	if len(operands) != 1 {
		return e.usagef("explain", "want one or two BPF files, got %d operands", len(operands))
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

// troublef reports an error of explain with two files, where 1 means the
// programs differ: like diff(1), it exits 2.
func (e *env) troublef(format string, a ...any) int {
	e.errorf(format, a...)
	return exitUsage
}

// runCompare is explain with two files.
func runCompare(e *env, a *arch.Arch, onlyDiffs bool, file, other string) int {
	if file == "-" && other == "-" {
		return e.usagef("explain", "only one of the two files can be standard input")
	}
	var (
		progs [2][]bpf.RawInstruction
		costs [2][]cost
	)
	for i, name := range []string{file, other} {
		prog, err := readProgram(name)
		if err != nil {
			return e.troublef("%s: %v", name, err)
		}
		p, err := sim.New(prog)
		if err != nil {
			return e.troublef("%s: %v", name, err)
		}
		if err := checkArch(p, a); err != nil {
			return e.troublef("%s: %v", name, err)
		}
		if costs[i], err = explain(prog, a); err != nil {
			return e.troublef("%s: %v", name, err)
		}
		progs[i] = prog
	}
	if len(costs[0]) != len(costs[1]) {
		// explain ran both over the same syscall table.
		panic("explain: different syscall lists for one architecture")
	}

	w := e.stdout
	fmt.Fprintf(w, "A: %s\nB: %s\n", file, other)
	fmt.Fprintf(w, "  %10s  %-24s %-14s %7s  %-14s %7s\n", "NR", "NAME", "A ACTION", "A INSNS", "B ACTION", "B INSNS")
	differ := 0
	for i, ca := range costs[0] {
		cb := costs[1][i]
		flag := " "
		if ca.action != cb.action {
			flag = "!"
			differ++
		} else if onlyDiffs {
			continue
		}
		fmt.Fprintf(w, "%s %10d  %-24s %-14s %7d  %-14s %7d\n", flag, ca.nr, ca.name, ca.action, ca.steps, cb.action, cb.steps)
	}
	for i, label := range []string{"A", "B"} {
		writeProgramSummary(w, label, len(progs[i]), costs[i])
	}
	fmt.Fprintf(w, "%s: %d syscalls, %d decided differently\n", a.Name, len(costs[0]), differ)
	if differ > 0 {
		return exitNo
	}
	return exitOK
}

// writeProgramSummary is one program's line of the summary of a comparison.
func writeProgramSummary(w io.Writer, label string, length int, costs []cost) {
	var total, maxSteps, allowed, cached int
	for _, c := range costs {
		total += c.steps
		maxSteps = max(maxSteps, c.steps)
		if c.action.Kind() == policy.ActAllow {
			allowed++
			if c.cached {
				cached++
			}
		}
	}
	mean := 0.0
	if len(costs) > 0 {
		mean = float64(total) / float64(len(costs))
	}
	fmt.Fprintf(w, "%s: %d instructions long, executes mean %.2f max %d, %d allowed, %d of them cached\n",
		label, length, mean, maxSteps, allowed, cached)
}

// errWalked stops a walk once it has seen what checkArch needs.
var errWalked = errors.New("walked")

// checkArch refuses a program built for other architectures than a: one
// that singles out some architecture's token but never a's, and answers
// every call of a's with one decision without looking at the syscall, as
// a filter does with a call of an architecture it was not built for. A
// program that does not look at the architecture at all passes, and so
// does one too intricate to walk.
func checkArch(p *sim.Program, a *arch.Arch) error {
	tok := uint32(a.KernelToken())
	var (
		singled  []uint32 // tokens the program singles out
		covered  bool     // tok is one of them
		constant = true   // every call of tok gets one decision, fixed by the arch alone
		decision uint32
		seen     bool
	)
	err := p.Walk(func(c *sim.Class) error {
		if c.Arch.Lo == c.Arch.Hi {
			singled = append(singled, c.Arch.Lo)
			if c.Arch.Lo == tok {
				covered = true
				return errWalked
			}
		}
		if c.Arch.Lo <= tok && tok <= c.Arch.Hi {
			switch {
			case !c.Returns:
				constant = false
			case !seen:
				decision, seen = c.Ret, true
			case c.Ret != decision:
				constant = false
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errWalked) {
		return nil // sim.ErrWalkBudget: no verdict
	}
	if covered || len(singled) == 0 || !constant {
		return nil
	}
	var names []string
	for _, t := range singled {
		name := fmt.Sprintf("token %#x", t)
		if b, ok := archByToken(t); ok {
			name = b.Name
		}
		if !contains(names, name) {
			names = append(names, name)
		}
	}
	return fmt.Errorf("not a filter for %s: it checks for %s only and answers every %s call %s",
		a.Name, strings.Join(names, ", "), a.Name, policy.Action(decision))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
