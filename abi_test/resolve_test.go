package abi_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// Resolver parity: every name and number question libseccomp's resolvers
// answer, asked of both libraries. Ours must give the reference's answer,
// or know a syscall the reference does not (2.5.4's tables are older than
// ours); it must never put a name at a different number.

// newerArches are the ABIs libseccomp added after 2.5.4. The reference
// knows nothing about them; the test checks that it says so, rather than
// trusting this list.
var newerArches = map[string]bool{"loongarch64": true, "m68k": true, "sh": true, "sheb": true}

const (
	excuseNewerArch    = "ABI unknown to the reference (newer than libseccomp 2.5.4)"
	excuseNewerSyscall = "syscall unknown to the reference's older table"
	excuseGainedCall   = "ABI gained the syscall after the reference's table (pseudo number there, real number here)"
	bugSharedPseudo    = "LIBSECCOMP-BUGS #5 (-10191 names switch_endian and sys_debug_setcontext)"
)

// tableFixes are entries of the reference's table that libseccomp 2.6.1
// and the kernel headers ours come from have since corrected, by ABI and
// name.
var tableFixes = map[string]string{
	"parisc64 _llseek": "64-bit parisc has no _llseek; 2.5.4's table gave it 140, 2.6.1 and Linux 7.2 have none",
}

// bogusNames must resolve nowhere.
var bogusNames = []string{"no_such_syscall", "SOCKET", "read ", "__NR_read", "sys_read", "0"}

// resolveQuery is one resolver call; line is its place in the script.
type resolveQuery struct {
	verb string
	abi  *arch.Arch // nil for questions about the native ABI or arch names
	name string
	nr   int32
	line int
}

func (q resolveQuery) String() string {
	abi := "native"
	if q.abi != nil {
		abi = q.abi.Name
	}
	if q.verb == "resolve_num_arch" {
		return fmt.Sprintf("%s %s %d", q.verb, abi, q.nr)
	}
	return fmt.Sprintf("%s %s %q", q.verb, abi, q.name)
}

// resolveNumbers is what each ABI is asked to name: everything up to 1100
// and the same above the ABI's base, which the resolvers also accept
// without it, plus every pseudo number and the reserved ones around them.
func resolveNumbers(a *arch.Arch) []int32 {
	var nrs []int32
	base := int32(0)
	switch {
	case a.IsX32Sibling() || a.Name == "x86_64":
		base = arch.X32SyscallBit
	case strings.HasPrefix(a.Name, "mips"):
		read, _ := syscalls.Number(a, "read")
		base = read / 1000 * 1000 // 4000, 5000 or 6000
	}
	for nr := range int32(1101) {
		nrs = append(nrs, nr)
		if base != 0 {
			nrs = append(nrs, base+nr)
		}
	}
	pseudo := map[int32]bool{-1: true, -2: true, -99: true, -100: true, -121: true, -200: true, -225: true, -10000: true, -10191: true}
	for _, name := range syscalls.Names() {
		if p, ok := syscalls.Pseudo(name); ok {
			pseudo[p] = true
		}
	}
	for p := range pseudo {
		nrs = append(nrs, p)
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	return nrs
}

func TestResolverParity(t *testing.T) {
	h := setup(t)
	if h.sameLibrary {
		t.Log("both sides are one library: this run only exercises the harness")
	}
	var s script
	var queries []resolveQuery
	ask := func(q resolveQuery, format string, args ...any) {
		q.line = s.add(format, args...)
		queries = append(queries, q)
	}
	names := append(syscalls.Names(), bogusNames...)
	archNames := map[int]*arch.Arch{}
	for _, a := range arch.All {
		archNames[s.add("arch_resolve %s", a.Name)] = a
	}
	for _, bogus := range []string{"native", "x86-64", "i386", "amd64", "X86_64", "mips64n32el"} {
		ask(resolveQuery{verb: "arch_resolve", name: bogus}, "arch_resolve %s", bogus)
	}
	for _, name := range names {
		if strings.TrimSpace(name) == name && name != "" {
			ask(resolveQuery{verb: "resolve_name", name: name}, "resolve_name %s", name)
		}
	}
	for _, a := range arch.All {
		for _, name := range names {
			if strings.TrimSpace(name) != name || name == "" {
				continue // one driver token per field
			}
			ask(resolveQuery{verb: "resolve_name_arch", abi: a, name: name}, "resolve_name_arch %#x %s", uint32(a.Token), name)
			ask(resolveQuery{verb: "resolve_name_rewrite", abi: a, name: name}, "resolve_name_rewrite %#x %s", uint32(a.Token), name)
		}
		for _, nr := range resolveNumbers(a) {
			ask(resolveQuery{verb: "resolve_num_arch", abi: a, nr: nr}, "resolve_num_arch %#x %d", uint32(a.Token), nr)
		}
	}

	ref, ours, refErr, oursErr := h.runBoth(s.String())
	if refErr != nil || oursErr != nil {
		t.Fatalf("driver: reference: %v; ours: %v", refErr, oursErr)
	}

	// Which ABIs does the reference know? Ours must know them all, by
	// the same token.
	refKnows := map[*arch.Arch]bool{}
	for line, a := range archNames {
		r, o := ref[line].payload, ours[line].payload
		if o != strconv.FormatUint(uint64(a.Token), 10) {
			t.Errorf("arch_resolve %s: ours %s, want %d", a.Name, o, uint32(a.Token))
		}
		switch {
		case r == o:
			refKnows[a] = true
		case r == "0" && newerArches[a.Name]:
		default:
			t.Errorf("arch_resolve %s: reference %s, ours %s", a.Name, r, o)
		}
	}
	for a := range newerArches {
		if refKnows[arch.MustByName(a)] {
			t.Logf("the reference knows %s: newerArches can drop it", a)
		}
	}

	// The reference's number for each (ABI, name), to tell a newer
	// syscall from a misplaced one.
	refNr := map[string]int64{}
	for _, q := range queries {
		if q.verb == "resolve_name_arch" {
			refNr[q.abi.Name+" "+q.name] = ref[q.line].rc
		}
	}

	excused := map[string]int{}
	var failures []string
	for _, q := range queries {
		r, o := ref[q.line], ours[q.line]
		if r.rc == o.rc && r.payload == o.payload {
			continue
		}
		why := ""
		if q.abi != nil && !refKnows[q.abi] && newerArches[q.abi.Name] {
			why = excuseNewerArch
		} else if fix := tableFix(q, r, o); fix != "" {
			why = fix
		} else {
			why = resolveExcuse(q, r, o, refNr)
		}
		if why == "" {
			failures = append(failures, fmt.Sprintf("%v: reference %d %q, ours %d %q", q, r.rc, r.payload, o.rc, o.payload))
			continue
		}
		excused[why]++
	}
	for why, n := range excused {
		t.Logf("excused %d answers: %s", n, why)
	}
	t.Logf("%d resolver questions asked", len(queries)+len(archNames))
	if len(failures) > 0 {
		t.Errorf("%d answers differ; first %d:\n  %s", len(failures), min(len(failures), 40),
			strings.Join(failures[:min(len(failures), 40)], "\n  "))
	}
}

// resolveExcuse names the legitimate reason ours answers q differently
// from the reference, or returns "".
func resolveExcuse(q resolveQuery, r, o result, refNr map[string]int64) string {
	switch q.verb {
	case "resolve_name", "resolve_name_arch", "resolve_name_rewrite":
		switch {
		case r.rc == -1 && o.rc != -1:
			return excuseNewerSyscall
		case r.rc <= -100 && o.rc >= 0 && q.verb == "resolve_name_arch":
			return excuseGainedCall
		case r.rc <= -100 && o.rc >= 0 && q.verb == "resolve_name_rewrite":
			// Rewriting leaves non-multiplexed pseudo numbers
			// alone, so this is the same gain.
			if a := refNr[q.abi.Name+" "+q.name]; a == r.rc {
				return excuseGainedCall
			}
		}
	case "resolve_num_arch":
		if q.nr == -10191 && r.payload == "switch_endian" && o.payload == "sys_debug_setcontext" {
			return bugSharedPseudo
		}
		if q.nr < 0 && o.payload == "(null)" && refNr[q.abi.Name+" "+r.payload] == int64(q.nr) {
			// The reference lacks the call on this ABI, so it
			// names the pseudo number; ours has the call.
			if n, ok := syscalls.Number(q.abi, r.payload); ok && n >= 0 {
				return excuseGainedCall
			}
		}
		if r.payload != "(null)" || o.payload == "(null)" {
			return ""
		}
		// Ours names a number the reference cannot: fine if the
		// reference has no number for that name on this ABI either.
		n, ok := refNr[q.abi.Name+" "+o.payload]
		if !ok || n == -1 || (n < 0 && q.nr >= 0) {
			return excuseNewerSyscall
		}
	}
	return ""
}

// tableFix returns the tableFixes entry behind a differing answer to q,
// or "".
func tableFix(q resolveQuery, r, o result) string {
	if q.abi == nil {
		return ""
	}
	for _, name := range []string{q.name, r.payload, o.payload} {
		if fix, ok := tableFixes[q.abi.Name+" "+name]; ok && name != "" {
			return fix
		}
	}
	return ""
}
