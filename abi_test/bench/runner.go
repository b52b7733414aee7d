package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/bpf"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// runTimeout bounds every C process: libseccomp 2.5.4 is known to spin on
// some argument rules, and a stuck bench is worse than a missing row.
const runTimeout = 90 * time.Second

// Lib is one column group's library: which .so the C program gets and the
// optimize level it asks for.
type Lib struct {
	Label string
	Dir   string // prepended to LD_LIBRARY_PATH; "" for the system library
	Opt   int
	Env   []string // added to the C program's environment
	// GenOnly rows measure building only; their live costs would repeat
	// the row above.
	GenOnly bool
}

// cprog is the compiled testdata/bench.c.
type cprog struct {
	bin, dir string
}

func buildC(dir string) (*cprog, error) {
	src := filepath.Join(dir, "bench.c")
	if err := os.WriteFile(src, mustData("bench.c"), 0o644); err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "bench")
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	out, err := exec.Command(cc, "-O2", "-Wall", "-o", bin, src, "-lseccomp", "-ldl").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s bench.c: %v\n%s", cc, err, out)
	}
	return &cprog{bin: bin, dir: dir}, nil
}

func (c *cprog) run(lib Lib, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(os.Environ(), lib.Env...)
	if lib.Dir != "" {
		ld := lib.Dir
		if old := os.Getenv("LD_LIBRARY_PATH"); old != "" {
			ld += ":" + old
		}
		cmd.Env = append(cmd.Env, "LD_LIBRARY_PATH="+ld)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return out, fmt.Errorf("timed out after %v", runTimeout)
	}
	if err != nil {
		return out, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// resolve asks lib which of names it knows, and their numbers.
func (c *cprog) resolve(lib Lib, names []string) (map[string]int, error) {
	out, err := c.run(lib, append([]string{"names"}, names...)...)
	if err != nil {
		return nil, err
	}
	m := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var name string
		var nr int
		if _, err := fmt.Sscan(line, &name, &nr); err == nil {
			m[name] = nr
		}
	}
	return m, nil
}

// GenResult is what one library made of one policy.
type GenResult struct {
	Version string
	Library string // the file seccomp_init came from
	Export  string
	Skipped int
	Prog    []bpf.RawInstruction
	MinNs   float64
	MedNs   float64
	Err     string // why there is no filter: the failing call and its errno
}

func (c *cprog) gen(lib Lib, p *Policy, runs int) (*GenResult, error) {
	script := filepath.Join(c.dir, "gen-"+p.Name+".txt")
	if err := os.WriteFile(script, p.script(false), 0o644); err != nil {
		return nil, err
	}
	bpfOut := filepath.Join(c.dir, "out.bpf")
	os.Remove(bpfOut)
	out, err := c.run(lib, "gen", strconv.Itoa(lib.Opt), strconv.Itoa(runs), bpfOut, script)
	if err != nil {
		return nil, err
	}
	r := &GenResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		key, rest, _ := strings.Cut(sc.Text(), " ")
		switch key {
		case "version":
			r.Version = rest
		case "library":
			r.Library = rest
		case "export":
			r.Export = rest
		case "skipped":
			r.Skipped, _ = strconv.Atoi(rest)
		case "error":
			r.Err = describeError(rest)
		case "gen_ns":
			if _, err := fmt.Sscan(rest, &r.MinNs, &r.MedNs); err != nil {
				return nil, fmt.Errorf("bad gen_ns line %q", rest)
			}
		}
	}
	if r.Version == "" {
		return nil, fmt.Errorf("no version line in output:\n%s", out)
	}
	if r.Err != "" {
		return r, nil
	}
	raw, err := os.ReadFile(bpfOut)
	if err != nil {
		return nil, err
	}
	if r.Prog, err = decodeBPF(raw); err != nil {
		return nil, err
	}
	return r, nil
}

// describeError turns "RC what" from the C side into "what: -95 EOPNOTSUPP".
func describeError(s string) string {
	rcs, what, _ := strings.Cut(s, " ")
	rc, err := strconv.Atoi(rcs)
	if err != nil || rc >= 0 {
		return s
	}
	return fmt.Sprintf("%s: %d %s", what, rc, errnoName(-rc))
}

func decodeBPF(raw []byte) ([]bpf.RawInstruction, error) {
	return sim.Decode(raw, binary.NativeEndian)
}

// Ticks is what one live case cost: the min and median of single calls,
// and per call of the cheapest and the median batch of calls timed
// together (finer than the TSC's steps on a VM).
type Ticks struct {
	Min, Med           uint64
	BatchMin, BatchMed float64
	Insns              int // BPF instructions the loaded filter ran for it
	Err                string
}

// LiveResult maps case labels to their costs; Err is set when the filter
// could not be built or loaded at all.
type LiveResult struct {
	Cases map[string]Ticks
	Err   string
}

func (c *cprog) live(lib Lib, p *Policy, cases []LiveCase, nrs map[string]int32, iters int) (*LiveResult, error) {
	script := filepath.Join(c.dir, "live-"+p.Name+".txt")
	if err := os.WriteFile(script, p.script(true), 0o644); err != nil {
		return nil, err
	}
	result := filepath.Join(c.dir, "live.out")
	os.Remove(result)
	args := []string{"live", strconv.Itoa(lib.Opt), strconv.Itoa(iters), result, script}
	for _, lc := range cases {
		nr, ok := nrs[lc.Name]
		if !ok {
			return nil, fmt.Errorf("live case %s: no syscall %s on this arch", lc.Label, lc.Name)
		}
		args = append(args, fmt.Sprintf("%s:%d:%s:%x:%x:%x", lc.Label, nr, lc.Want, lc.Args[0], lc.Args[1], lc.Args[2]))
	}
	_, runErr := c.run(lib, args...)
	out, err := os.ReadFile(result)
	if err != nil {
		return nil, errors.Join(runErr, err)
	}
	out = bytes.TrimRight(out, "\x00")
	if !bytes.Contains(out, []byte("done\n")) {
		// The child died before finishing; its own exit status (often
		// SIGSYS or SIGSEGV from a denied exit_group) only matters then.
		return nil, fmt.Errorf("live child did not finish (%v):\n%s", runErr, out)
	}
	r := &LiveResult{Cases: map[string]Ticks{}}
	var prog *sim.Program
	if raw, err := os.ReadFile(result + ".bpf"); err == nil {
		insns, err := decodeBPF(raw)
		if err == nil {
			prog, err = sim.New(insns)
		}
		if err != nil {
			return nil, fmt.Errorf("live filter: %w", err)
		}
	}
	steps := func(label string) int {
		i := slices.IndexFunc(cases, func(lc LiveCase) bool {
			return lc.Label == strings.TrimSuffix(label, "-nofilter")
		})
		if prog == nil || i < 0 || label == "base" || strings.HasSuffix(label, "-nofilter") {
			return 0
		}
		d := sim.Data{Nr: nrs[cases[i].Name], Arch: uint32(arch.Host().Token)}
		copy(d.Args[:], cases[i].Args[:])
		_, n := prog.Run(d, arch.Host().BigEndian)
		return n
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0 || f[0] == "done":
		case f[0] == "error":
			r.Err = describeError(strings.Join(f[1:], " "))
		case len(f) == 3 && f[1] == "bad":
			rc, _ := strconv.Atoi(f[2])
			r.Cases[f[0]] = Ticks{Err: fmt.Sprintf("filter returned %d (%s)", rc, errnoName(-rc))}
		case len(f) == 5:
			var t Ticks
			if _, err := fmt.Sscan(strings.Join(f[1:], " "), &t.Min, &t.Med, &t.BatchMin, &t.BatchMed); err != nil {
				return nil, fmt.Errorf("bad live line %q", sc.Text())
			}
			t.Insns = steps(f[0])
			r.Cases[f[0]] = t
		default:
			return nil, fmt.Errorf("bad live line %q", sc.Text())
		}
	}
	return r, nil
}

// bestOf combines the rounds of one row's live measurement: each case's
// minimums are the least of any round, its medians the median of the
// rounds'. A round that failed decides.
func bestOf(rounds []*LiveResult) *LiveResult {
	out := &LiveResult{Cases: map[string]Ticks{}}
	for _, r := range rounds {
		if r.Err != "" {
			return r
		}
	}
	for label := range rounds[0].Cases {
		var t Ticks
		var meds []uint64
		var bmeds []float64
		for i, r := range rounds {
			c, ok := r.Cases[label]
			if !ok || c.Err != "" {
				t = c
				if !ok {
					t.Err = "missing in a round"
				}
				break
			}
			if i == 0 || c.Min < t.Min {
				t.Min = c.Min
			}
			if i == 0 || c.BatchMin < t.BatchMin {
				t.BatchMin = c.BatchMin
			}
			t.Insns = c.Insns
			meds, bmeds = append(meds, c.Med), append(bmeds, c.BatchMed)
		}
		if t.Err == "" {
			slices.Sort(meds)
			slices.Sort(bmeds)
			t.Med, t.BatchMed = meds[len(meds)/2], bmeds[len(bmeds)/2]
		}
		out.Cases[label] = t
	}
	return out
}
