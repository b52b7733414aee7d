// Command bench compares the BPF that seccomptree's libseccomp.so.2
// generates with the system libseccomp's, at its default optimize level and
// with the binary tree (SCMP_FLTATR_CTL_OPTIMIZE=2), on six policies
// (Docker's default profile in two versions).
//
//	SECCOMPTREE_LIBDIR=$PWD/build go run ./abi_test/bench [-quick]
//
// For every (policy, library) it reports the program length; how many BPF
// instructions a syscall executes (mean and max over the arch's syscall
// table, and mean weighted by engine/tree/profile.txt); how many
// syscalls the kernel's action cache would allow without running the
// filter; the median time from seccomp_init to an exported filter; and, on
// x86_64, the TSC cost of live syscalls under the loaded filter.
//
// A C program (testdata/bench.c) does the libseccomp calls, once with the
// system library and once with the one in SECCOMPTREE_LIBDIR; this program
// writes its policy scripts and analyses the filters it exports with
// engine/sim. Anything a library cannot build is shown as n/a with the
// failing call and errno, not treated as a failure of the bench.
package main

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
	"golang.org/x/sys/unix"
)

//go:embed testdata/*.c testdata/*.txt testdata/*.json
var data embed.FS

func mustData(name string) []byte {
	b, err := data.ReadFile("testdata/" + name)
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	return b
}

func errnoName(e int) string {
	if n := unix.ErrnoName(syscall.Errno(e)); n != "" {
		return n
	}
	return fmt.Sprintf("errno %d", e)
}

// Config is everything a run depends on.
type Config struct {
	LibDir string // directory holding our libseccomp.so.2
	Runs   int    // timed builds per (policy, library)
	Iters  int    // live syscalls per case
	// LiveRounds is how many processes measure each row's live costs;
	// each case keeps its best. GenRounds is the same for build times.
	LiveRounds, GenRounds int
	Policies              []string // names to run; all when empty
	Live                  bool     // measure live costs (x86_64 only)
	// StartupRuns is how many processes measure each library's start-up
	// cost; 0 skips it.
	StartupRuns int
	Progress    io.Writer
}

func main() {
	quick := flag.Bool("quick", false, "smoke run: few timing runs and live iterations")
	runs := flag.Int("runs", 200, "timed builds per policy and library")
	iters := flag.Int("iters", 1_000_000, "live syscalls per case")
	rounds := flag.Int("rounds", 3, "processes per cell measuring build times and live costs")
	only := flag.String("policy", "", "comma-separated policies to run (default all)")
	live := flag.Bool("live", true, "measure live syscall costs (x86_64 only)")
	starts := flag.Int("starts", 50, "processes timed per library for the start-up cost (0 skips)")
	flag.Parse()

	cfg := Config{
		LibDir:     os.Getenv("SECCOMPTREE_LIBDIR"),
		Runs:       *runs,
		Iters:      *iters,
		LiveRounds: *rounds,
		GenRounds:  *rounds,
		Live:       *live,
		Progress:   os.Stderr,

		StartupRuns: *starts,
	}
	if *quick {
		cfg.Runs, cfg.Iters, cfg.StartupRuns, cfg.LiveRounds, cfg.GenRounds = 5, 20_000, 5, 1, 1
	}
	if *only != "" {
		cfg.Policies = strings.Split(*only, ",")
	}
	if cfg.LibDir == "" {
		cfg.LibDir = "build"
	}
	if err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Row is one (policy, library) line of the table.
type Row struct {
	Policy *Policy
	Lib    Lib
	Gen    *GenResult
	Stats  *Stats
	Floor  *Floor // ours only: the least mean any search could reach
	NFloor *Floor // the same over every number up to Result.Top
	// SelfCheckNs is what the self-check adds to a build, timed in
	// this process (ours only).
	SelfCheckNs float64
	Live        *LiveResult
	LiveNA      string
}

// Result is a whole run, ready to print.
type Result struct {
	Host      *arch.Arch
	NSyscalls int   // distinct syscall numbers in the host's table
	Top       int32 // the highest of them the system libseccomp knows
	Rows      []Row
	Versions  map[string]string
	// Startup holds each library's process cost, by label; StartupRuns
	// is how many processes each figure is the median of.
	Startup      map[string]*Startup
	StartupOrder []string
	StartupRuns  int
}

func run(cfg Config, w io.Writer) error {
	res, err := collect(cfg)
	if err != nil {
		return err
	}
	if err := report(w, cfg, res); err != nil {
		return err
	}
	if len(res.Startup) > 0 {
		reportStartup(w, res.StartupOrder, res.Startup, res.StartupRuns)
	}
	return nil
}

// collect builds, exports, analyses and (on x86_64) times every selected
// policy with every library.
func collect(cfg Config) (*Result, error) {
	libDir, err := filepath.Abs(cfg.LibDir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(libDir, "libseccomp.so.2")); err != nil {
		return nil, fmt.Errorf("our library: %w (run make first)", err)
	}
	host := arch.Host()
	table := syscalls.Table(host)
	if table == nil {
		return nil, fmt.Errorf("no syscall table for %s", host.Name)
	}
	nSyscalls := len(syscalls.Numbers(host))
	prof, err := weights()
	if err != nil {
		return nil, err
	}
	for n := range prof {
		if _, ok := table[n]; !ok {
			delete(prof, n) // e.g. select on ABIs that only have pselect6
		}
	}

	tmp, err := os.MkdirTemp("", "seccomptree-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	c, err := buildC(tmp)
	if err != nil {
		return nil, err
	}
	libs := []Lib{
		{Label: "seccomptree", Dir: libDir, Opt: 1},
		// The same library without its self-check, to show what the
		// check costs.
		{Label: "  no self-check", Dir: libDir, Opt: 1, Env: []string{"SECCOMPTREE_SELFCHECK=0"}, GenOnly: true},
		{Label: "libseccomp -O1", Opt: 1},
		{Label: "libseccomp -O2", Opt: 2},
	}

	names := slices.Concat(nameList("denylist.txt"), nameList("systemd_system_service.txt"))
	for n := range table {
		names = append(names, n)
	}
	profiles, err := dockerProfiles()
	if err != nil {
		return nil, err
	}
	for _, sc := range profiles {
		for _, s := range sc.Syscalls {
			names = append(names, s.Names...)
		}
	}
	resolved, err := c.resolve(libs[2], names)
	if err != nil {
		return nil, fmt.Errorf("resolving names with the system libseccomp: %w", err)
	}
	known := map[string]bool{}
	top := int32(0) // the highest number of ours the system library knows
	for n := range resolved {
		known[n] = true
		if nr, ok := table[n]; ok {
			top = max(top, nr)
		}
	}
	all, err := policies(table, known)
	if err != nil {
		return nil, err
	}

	liveNA := ""
	if !cfg.Live {
		liveNA = "disabled by -live=false"
	} else if runtime.GOARCH != "amd64" {
		liveNA = "rdtsc timing is x86_64 only"
	}

	var rows []Row
	versions := map[string]string{}
	for _, p := range all {
		if len(cfg.Policies) > 0 && !slices.Contains(cfg.Policies, p.Name) {
			continue
		}
		for _, lib := range libs {
			fmt.Fprintf(cfg.Progress, "bench: %-9s %-15s build x%d", p.Name, lib.Label, cfg.Runs)
			g, err := c.gen(lib, p, cfg.Runs)
			if err != nil {
				fmt.Fprintln(cfg.Progress)
				return nil, fmt.Errorf("%s with %s: %w", p.Name, lib.Label, err)
			}
			if err := checkLibrary(lib, g, libDir, versions); err != nil {
				fmt.Fprintln(cfg.Progress)
				return nil, err
			}
			row := Row{Policy: p, Lib: lib, Gen: g, LiveNA: liveNA}
			if g.Err == "" {
				if row.Stats, err = analyse(g.Prog, host, table, top, prof); err != nil {
					fmt.Fprintln(cfg.Progress)
					return nil, fmt.Errorf("%s with %s: %w", p.Name, lib.Label, err)
				}
			}
			if g.Err == "" && lib.Dir != "" && !lib.GenOnly {
				if row.SelfCheckNs, err = selfCheckNs(p, cfg.Runs); err != nil {
					fmt.Fprintln(cfg.Progress)
					return nil, fmt.Errorf("%s: self-check: %w", p.Name, err)
				}
				// The floor depends on the decisions only; any library's
				// program would do, and ours is at hand.
				args := argNumbers(p, table)
				if row.Floor, err = floorOf(g.Prog, host, tableNumbers(table), args); err == nil {
					row.NFloor, err = floorOf(g.Prog, host, upTo(top), args)
				}
				if err != nil {
					fmt.Fprintln(cfg.Progress)
					return nil, fmt.Errorf("%s: floor: %w", p.Name, err)
				}
			}
			if lib.GenOnly {
				row.LiveNA = "same program as the row above"
			}
			fmt.Fprintln(cfg.Progress)
			rows = append(rows, row)
		}
		policyRows := rows[len(rows)-len(libs):]
		if liveNA != "" {
			continue
		}
		// Live costs in rounds over the libraries, each case's best taken:
		// one process can land on a slower CPU or moment for all of its
		// calls, which a second process of the same row rarely repeats.
		cases := []LiveCase{
			{Label: "base", Name: "getppid", Want: "ok"},
			{Label: "allow", Name: "getppid", Want: "ok"},
			p.Deny,
		}
		if p.ArgCase != nil {
			cases = append(cases, *p.ArgCase)
		}
		rounds := make([][]*LiveResult, len(policyRows))
		for range max(cfg.LiveRounds, 1) {
			for i := range policyRows {
				r := &policyRows[i]
				if r.Lib.GenOnly {
					continue
				}
				fmt.Fprintf(cfg.Progress, "bench: %-9s %-15s live x%d\n", p.Name, r.Lib.Label, cfg.Iters)
				lr, err := c.live(r.Lib, p, cases, table, cfg.Iters)
				if err != nil {
					return nil, fmt.Errorf("%s with %s: %w", p.Name, r.Lib.Label, err)
				}
				rounds[i] = append(rounds[i], lr)
			}
		}
		for i := range policyRows {
			if len(rounds[i]) > 0 {
				policyRows[i].Live = bestOf(rounds[i])
			}
		}
	}
	if len(rows) == 0 {
		return nil, errors.New("no policy selected")
	}
	// More rounds of builds, each over every cell, each cell keeping its
	// best median: this machine has slow spells of seconds to minutes,
	// in which a build takes up to half as long again, and rounds spread
	// over the whole run let every cell meet a quiet one.
	for round := range max(cfg.GenRounds, 1) - 1 {
		for i := range rows {
			r := &rows[i]
			if r.Gen.Err != "" {
				continue
			}
			fmt.Fprintf(cfg.Progress, "bench: %-9s %-15s build x%d (round %d)\n", r.Policy.Name, r.Lib.Label, cfg.Runs, round+2)
			g, err := c.gen(r.Lib, r.Policy, cfg.Runs)
			if err != nil {
				return nil, fmt.Errorf("%s with %s: %w", r.Policy.Name, r.Lib.Label, err)
			}
			r.Gen.MinNs, r.Gen.MedNs = min(r.Gen.MinNs, g.MinNs), min(r.Gen.MedNs, g.MedNs)
		}
	}
	res := &Result{Host: host, NSyscalls: nSyscalls, Top: top, Rows: rows, Versions: versions,
		Startup: map[string]*Startup{}, StartupRuns: cfg.StartupRuns}
	if cfg.StartupRuns > 0 {
		for _, lib := range []Lib{libs[0], libs[2]} {
			fmt.Fprintf(cfg.Progress, "bench: start-up  %-15s x%d\n", lib.Label, cfg.StartupRuns)
			st, err := c.startup(lib, cfg.StartupRuns)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", lib.Label, err)
			}
			res.Startup[lib.Label] = st
			res.StartupOrder = append(res.StartupOrder, lib.Label)
		}
	}
	return res, nil
}

// checkLibrary makes sure LD_LIBRARY_PATH did what it should: our rows come
// from our library and the system rows from the system's. It records the
// versions for the report's header.
func checkLibrary(lib Lib, g *GenResult, libDir string, versions map[string]string) error {
	if g.Library == "" {
		return fmt.Errorf("%s: the C program could not tell which library it loaded", lib.Label)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(g.Library))
	if err != nil {
		return err
	}
	ours, err := filepath.EvalSymlinks(libDir)
	if err != nil {
		return err
	}
	key := "system"
	if lib.Dir != "" {
		key = "seccomptree"
	}
	if (dir == ours) != (lib.Dir != "") {
		return fmt.Errorf("%s: loaded %s, not the intended library", lib.Label, g.Library)
	}
	versions[key] = fmt.Sprintf("%s, %s, timed export via %s", g.Version, g.Library, g.Export)
	return nil
}
