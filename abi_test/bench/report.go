package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// footnotes numbers the reasons behind n/a cells, once each.
type footnotes struct {
	reasons []string
}

func (f *footnotes) na(reason string) string {
	for i, r := range f.reasons {
		if r == reason {
			return fmt.Sprintf("n/a[%d]", i+1)
		}
	}
	f.reasons = append(f.reasons, reason)
	return fmt.Sprintf("n/a[%d]", len(f.reasons))
}

func report(w io.Writer, cfg Config, res *Result) error {
	host, rows, versions := res.Host, res.Rows, res.Versions
	fmt.Fprintf(w, "cpu:      %s (%d CPUs)\n", cpuModel(), runtime.NumCPU())
	fmt.Fprintf(w, "kernel:   %s %s\n", kernelRelease(), host.Name)
	fmt.Fprintf(w, "date:     %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "go:       %s\n", runtime.Version())
	fmt.Fprintf(w, "ours:     libseccomp %s\n", versions["seccomptree"])
	fmt.Fprintf(w, "system:   libseccomp %s\n", versions["system"])
	fmt.Fprintf(w, "settings: %d timed builds per cell, %d live calls per case, best of %d processes each\n\n", cfg.Runs, cfg.Iters, max(cfg.LiveRounds, 1))

	var notes footnotes
	table := [][]string{{"policy", "library", "insns", "mean", "max", "wmean", "nmean", "cached",
		"gen ms", "sys/ours", "allow", "arg", "deny", "no filter"}}
	var ours *Row
	for i := range rows {
		r := &rows[i]
		if r.Lib.Dir != "" && !r.Lib.GenOnly {
			ours = r // the default build: the no-self-check row compares with it too
		}
		name := r.Policy.Name
		if i > 0 && rows[i-1].Policy == r.Policy {
			name = ""
		}
		cells := []string{name, r.Lib.Label}
		if r.Gen.Err != "" {
			na := notes.na(r.Lib.Label + " cannot build " + r.Policy.Name + ": " + r.Gen.Err)
			cells = append(cells, na, na, na, na, na, na, na, na)
		} else {
			s := r.Stats
			ratio := ""
			switch {
			case r == ours:
				ratio = "-"
			case ours == nil || ours.Policy != r.Policy || ours.Gen.Err != "":
				ratio = notes.na("no seccomptree time to compare with")
			default:
				ratio = fmt.Sprintf("%.1fx", r.Gen.MedNs/ours.Gen.MedNs)
			}
			cells = append(cells,
				fmt.Sprint(s.Len),
				fmt.Sprintf("%.1f", s.Mean),
				fmt.Sprint(s.Max),
				fmt.Sprintf("%.1f", s.Weighted),
				fmt.Sprintf("%.1f", s.NMean),
				fmt.Sprintf("%d/%d", s.Cached, s.Allowed),
				fmtMs(r.Gen.MedNs),
				ratio)
		}
		table = append(table, append(cells, liveCells(r, &notes)...))
	}
	writeTable(w, table, 2)
	if sc := selfCheckTable(rows); sc != nil {
		fmt.Fprint(w, `
the self-check: what verifying the program against its policy adds to a build,
timed in this process on the engine alone (median with less median without),
and that as a share of our build's gen ms
`)
		fmt.Fprintln(w)
		writeTable(w, sc, 1)
	}
	if fl := floorTable(rows); fl != nil {
		fmt.Fprint(w, `
the floor: the least mean any search over this policy's decisions could reach, of
any height and with no path over 12 instructions (floor.go: jge/jgt/jeq tests, jset
at the leaves, the 3-instruction prefix, argument code of 2 per word read + ret);
mean and floor over the table's syscalls, nmean and nfloor over every number
`)
		fmt.Fprintln(w)
		writeTable(w, fl, 1)
	}
	if added := addedTable(rows); added != nil {
		fmt.Fprintln(w)
		fmt.Fprint(w, `added by the filter: TSC ticks per call over the same call without a filter
(cheapest batch of 100 less cheapest batch; @N: BPF instructions the loaded filter
runs for that call; (Nx): N times what seccomptree adds)
`)
		fmt.Fprintln(w)
		writeTable(w, added, 2)
	}

	fmt.Fprintln(w)
	fmt.Fprintf(w, `insns     program length in BPF instructions
mean/max  instructions executed per syscall, over all %d %s syscall numbers
          (arguments and instruction pointer zero)
wmean     mean weighted by engine/tree/profile.txt (a server-like mix, the profile
          the tree is shaped by)
nmean     mean over every number from 0 to %d, the highest the system libseccomp
          knows, used or not (how the performance issue's libseccomp figures count)
cached    syscalls the kernel's action cache allows without running the filter
          / syscalls the filter allows with zero arguments
gen ms    median time of seccomp_init -> rule adds -> export (ours: export_bpf_mem
          into a buffer; system: export_bpf to /dev/null), the least of the
          processes' medians
sys/ours  system median / our median (above 1: ours builds faster); "no self-check"
          is ours with SECCOMPTREE_SELFCHECK=0, so the difference is the cost of
          verifying every program against its policy before it is handed out
allow, arg, deny, no filter: TSC ticks per syscall, min/median (the least min and
          the median of the medians of the processes): getppid allowed
          unconditionally; an allowed syscall decided by an argument rule;
          lookup_dcookie denied with ERRNO(EPERM); getppid before the filter is
          loaded
added     the same three calls, less what each cost in the same process before the
          filter was loaded, per call of the cheapest batch of 100 calls timed
          together: single calls are read off a TSC that advances in steps of
          tens of ticks on a VM, and the medians of two runs of a million calls
          differ by more than the filter adds
`, res.NSyscalls, host.Name, res.Top)
	for _, r := range rows {
		if r.Lib.Dir == "" || r.Lib.GenOnly {
			continue // one note per policy: the first row of ours
		}
		fmt.Fprintf(w, "%-12s%s\n", r.Policy.Name, strings.ReplaceAll(r.Policy.Note, "\n", "\n"+strings.Repeat(" ", 12)))
	}
	for _, r := range rows {
		if r.Gen.Skipped > 0 {
			fmt.Fprintf(w, "%-12s%s skipped %d names it does not know\n", r.Policy.Name, r.Lib.Label, r.Gen.Skipped)
		}
	}
	if warn := compareDecisions(rows); warn != "" {
		fmt.Fprintln(w, warn)
	}
	for i, n := range notes.reasons {
		fmt.Fprintf(w, "[%d] %s\n", i+1, n)
	}
	return nil
}

func fmtMs(ns float64) string {
	ms := ns / 1e6
	switch {
	case ms < 1:
		return fmt.Sprintf("%.3f", ms)
	case ms < 100:
		return fmt.Sprintf("%.2f", ms)
	}
	return fmt.Sprintf("%.0f", ms)
}

func liveCells(r *Row, notes *footnotes) []string {
	const n = 4
	cells := make([]string, 0, n)
	if r.LiveNA != "" {
		na := notes.na("live costs: " + r.LiveNA)
		for range n {
			cells = append(cells, na)
		}
		return cells
	}
	for _, label := range []string{"allow", "arg", "deny", "base"} {
		t, ok := r.Live.Cases[label]
		switch {
		case label == "arg" && r.Policy.ArgCase == nil:
			cells = append(cells, notes.na("the policy has no argument rule"))
		case label != "base" && r.Live.Err != "":
			cells = append(cells, notes.na(r.Lib.Label+" cannot load "+r.Policy.Name+": "+r.Live.Err))
		case !ok:
			cells = append(cells, notes.na("no measurement"))
		case t.Err != "":
			cells = append(cells, notes.na(fmt.Sprintf("%s %s, %s case: %s", r.Lib.Label, r.Policy.Name, label, t.Err)))
		default:
			cells = append(cells, fmt.Sprintf("%d/%d", t.Min, t.Med))
		}
	}
	return cells
}

// selfCheckTable has the self-check's cost per policy.
func selfCheckTable(rows []Row) [][]string {
	table := [][]string{{"policy", "self-check us", "share"}}
	for _, r := range rows {
		if r.SelfCheckNs == 0 || r.Gen == nil || r.Gen.MedNs == 0 {
			continue
		}
		table = append(table, []string{r.Policy.Name, fmt.Sprintf("%.1f", r.SelfCheckNs/1e3),
			fmt.Sprintf("%.0f%%", 100*r.SelfCheckNs/r.Gen.MedNs)})
	}
	if len(table) == 1 {
		return nil
	}
	return table
}

// floorTable sets our means and max beside the floors, per policy.
func floorTable(rows []Row) [][]string {
	table := [][]string{{"policy", "mean", "max", "floor", "floor max<=12", "nmean", "nfloor", "nfloor max<=12"}}
	for _, r := range rows {
		if r.Floor == nil || r.NFloor == nil || r.Stats == nil {
			continue
		}
		table = append(table, []string{r.Policy.Name,
			fmt.Sprintf("%.2f", r.Stats.Mean), fmt.Sprint(r.Stats.Max),
			fmt.Sprintf("%.2f", r.Floor.Any), fmt.Sprintf("%.2f", r.Floor.Max12),
			fmt.Sprintf("%.2f", r.Stats.NMean),
			fmt.Sprintf("%.2f", r.NFloor.Any), fmt.Sprintf("%.2f", r.NFloor.Max12)})
	}
	if len(table) == 1 {
		return nil
	}
	return table
}

// addedTable has, per row that was measured live, each case's cost less
// the same call's before the filter was loaded, in the same process: the
// filter's own cost, which the raw columns mix with the syscall's. It
// compares the cheapest batches (see Ticks), which resolve what single
// calls cannot on a TSC that steps; a library's row also says how many
// times our added cost its own is.
func addedTable(rows []Row) [][]string {
	table := [][]string{{"policy", "library", "allow", "arg", "deny"}}
	var ours map[string]float64
	for i := range rows {
		r := &rows[i]
		if r.Live == nil || r.Live.Err != "" {
			continue
		}
		name := r.Policy.Name
		if i > 0 && rows[i-1].Policy == r.Policy {
			name = ""
		}
		if r.Lib.Dir != "" {
			ours = map[string]float64{}
		}
		cells := []string{name, r.Lib.Label}
		for _, label := range []string{"allow", "arg", "deny"} {
			on, ok1 := r.Live.Cases[label]
			off, ok2 := r.Live.Cases[label+"-nofilter"]
			if !ok1 || !ok2 || on.Err != "" || off.Err != "" {
				cells = append(cells, "-")
				continue
			}
			added := on.BatchMin - off.BatchMin
			cell := fmt.Sprintf("%.1f @%d", added, on.Insns)
			if r.Lib.Dir != "" {
				ours[label] = added
			} else if o, ok := ours[label]; ok && o >= 1 && added >= 1 {
				cell += fmt.Sprintf(" (%.1fx)", added/o)
			}
			cells = append(cells, cell)
		}
		table = append(table, cells)
	}
	if len(table) == 1 {
		return nil
	}
	return table
}

// compareDecisions warns when two libraries disagree on a syscall's fate:
// a fast filter that decides differently is not a result.
func compareDecisions(rows []Row) string {
	var out []string
	for i := range rows {
		a := &rows[i]
		if a.Stats == nil || a.Lib.Dir == "" {
			continue
		}
		for j := range rows {
			b := &rows[j]
			if b.Policy != a.Policy || b.Lib.Dir != "" || b.Stats == nil {
				continue
			}
			diff := 0
			for nr, ret := range a.Stats.Decisions {
				if b.Stats.Decisions[nr] != ret {
					diff++
				}
			}
			if diff > 0 {
				out = append(out, fmt.Sprintf("WARNING: %s: %s and %s decide %d syscalls differently",
					a.Policy.Name, a.Lib.Label, b.Lib.Label, diff))
			}
		}
	}
	return strings.Join(out, "\n")
}

// writeTable prints rows in aligned columns: the first left columns
// left-aligned (names), the rest right-aligned (numbers), two spaces apart.
func writeTable(w io.Writer, rows [][]string, left int) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
