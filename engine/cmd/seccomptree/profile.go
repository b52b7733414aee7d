package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// A profile is a Docker/OCI seccomp profile, checked and resolved but not
// yet applied: which rules apply depends on the host it is built for
// (target), as in Docker.
type profile struct {
	defaultAction policy.Action
	archs         []archRef
	archMap       []archMapEntry
	flags         []string
	rules         []profileRule
}

type archRef struct {
	path string
	a    *arch.Arch
}

type archMapEntry struct {
	main archRef
	subs []archRef
}

type profileRule struct {
	path     string // "syscalls[3]"
	names    []jnode
	action   policy.Action
	args     []profileArg
	includes *ruleFilter
	excludes *ruleFilter
}

type profileArg struct {
	path          string
	index         uint
	op            policy.Op
	value, value2 uint64
}

// ruleFilter is a Docker includes/excludes clause.
type ruleFilter struct {
	arches    []string
	caps      []string
	minKernel *kernelVersion
}

type kernelVersion struct{ major, minor uint64 }

func (v kernelVersion) atLeast(w kernelVersion) bool {
	return v.major > w.major || v.major == w.major && v.minor >= w.minor
}

// target is what includes/excludes clauses are decided against.
type target struct {
	arch   *arch.Arch
	caps   []string
	kernel kernelVersion
	// nativeOnly drops the profile's architectures.
	nativeOnly bool
}

// dockerArch is the name Docker's includes/excludes clauses use for an
// ABI: Go's names for amd64 and arm64, libseccomp's for the rest.
func dockerArch(a *arch.Arch) string {
	switch a.Name {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return a.Name
}

var actionNames = map[string]policy.Action{
	"SCMP_ACT_KILL":         policy.ActKillThread,
	"SCMP_ACT_KILL_THREAD":  policy.ActKillThread,
	"SCMP_ACT_KILL_PROCESS": policy.ActKillProcess,
	"SCMP_ACT_TRAP":         policy.ActTrap,
	"SCMP_ACT_ERRNO":        policy.ActErrno,
	"SCMP_ACT_TRACE":        policy.ActTrace,
	"SCMP_ACT_ALLOW":        policy.ActAllow,
	"SCMP_ACT_LOG":          policy.ActLog,
	"SCMP_ACT_NOTIFY":       policy.ActUserNotif,
}

var opNames = map[string]policy.Op{
	"SCMP_CMP_NE":        policy.OpNE,
	"SCMP_CMP_LT":        policy.OpLT,
	"SCMP_CMP_LE":        policy.OpLE,
	"SCMP_CMP_EQ":        policy.OpEQ,
	"SCMP_CMP_GE":        policy.OpGE,
	"SCMP_CMP_GT":        policy.OpGT,
	"SCMP_CMP_MASKED_EQ": policy.OpMaskedEQ,
}

// filterFlags are the OCI runtime spec's seccomp flags, by value.
var filterFlags = map[string]uint{
	"SECCOMP_FILTER_FLAG_TSYNC":              1 << 0,
	"SECCOMP_FILTER_FLAG_LOG":                1 << 1,
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW":         1 << 2,
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV": 1 << 5,
}

// parseProfile checks a profile completely before anything is built, so
// that every mistake is reported with its path, whether or not the rule
// would apply on this host.
func parseProfile(data []byte) (*profile, error) {
	root, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	top, err := root.object("defaultAction", "defaultErrnoRet", "architectures", "archMap",
		"flags", "listenerPath", "listenerMetadata", "syscalls")
	if err != nil {
		return nil, err
	}
	p := &profile{}
	da, ok := top["defaultAction"]
	if !ok {
		return nil, &pathError{"defaultAction", "missing (it is required)"}
	}
	if p.defaultAction, err = parseAction(da, top["defaultErrnoRet"]); err != nil {
		return nil, err
	}
	if n, ok := top["architectures"]; ok {
		if p.archs, err = parseArchList(n); err != nil {
			return nil, err
		}
	}
	if n, ok := top["archMap"]; ok {
		if len(p.archs) > 0 {
			return nil, n.errorf("a profile has either architectures or archMap, not both")
		}
		if p.archMap, err = parseArchMap(n); err != nil {
			return nil, err
		}
	}
	if n, ok := top["flags"]; ok {
		if p.flags, err = n.strs(); err != nil {
			return nil, err
		}
		for i, f := range p.flags {
			if _, ok := filterFlags[f]; !ok {
				return nil, &pathError{fmt.Sprintf("flags[%d]", i), fmt.Sprintf("unknown flag %q", f)}
			}
		}
	}
	for _, k := range []string{"listenerPath", "listenerMetadata"} {
		if n, ok := top[k]; ok {
			if _, err := n.str(); err != nil {
				return nil, err
			}
		}
	}
	if n, ok := top["syscalls"]; ok {
		items, err := n.array()
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			r, err := parseRule(it)
			if err != nil {
				return nil, err
			}
			p.rules = append(p.rules, r)
		}
	}
	return p, nil
}

// parseAction reads an action name and the errno (or tracer message) that
// goes with it. Without one, ERRNO and TRACE carry EPERM, as runc gives
// them.
func parseAction(n jnode, errnoRet jnode) (policy.Action, error) {
	s, err := n.str()
	if err != nil {
		return 0, err
	}
	act, ok := actionNames[s]
	if !ok {
		return 0, n.errorf("unknown action %q", s)
	}
	data := uint64(unix.EPERM)
	if !errnoRet.isNull() {
		if act != policy.ActErrno && act != policy.ActTrace {
			return 0, errnoRet.errorf("only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return code, not %s", s)
		}
		if data, err = errnoRet.uint(16); err != nil {
			return 0, err
		}
	}
	switch act {
	case policy.ActErrno:
		return policy.Errno(uint16(data)), nil
	case policy.ActTrace:
		return policy.Trace(uint16(data)), nil
	}
	return act, nil
}

func parseArch(n jnode) (archRef, error) {
	s, err := n.str()
	if err != nil {
		return archRef{}, err
	}
	name, ok := strings.CutPrefix(s, "SCMP_ARCH_")
	a, known := arch.ByName(strings.ToLower(name))
	if !ok || !known {
		return archRef{}, n.errorf("unknown architecture %q", s)
	}
	return archRef{n.path, a}, nil
}

func parseArchList(n jnode) ([]archRef, error) {
	items, err := n.array()
	if err != nil {
		return nil, err
	}
	out := make([]archRef, len(items))
	for i, it := range items {
		if out[i], err = parseArch(it); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseArchMap(n jnode) ([]archMapEntry, error) {
	items, err := n.array()
	if err != nil {
		return nil, err
	}
	var out []archMapEntry
	for _, it := range items {
		m, err := it.object("architecture", "subArchitectures")
		if err != nil {
			return nil, err
		}
		main, ok := m["architecture"]
		if !ok {
			return nil, it.errorf("missing architecture")
		}
		var e archMapEntry
		if e.main, err = parseArch(main); err != nil {
			return nil, err
		}
		if subs, ok := m["subArchitectures"]; ok {
			if e.subs, err = parseArchList(subs); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func parseRule(n jnode) (profileRule, error) {
	m, err := n.object("names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes")
	if err != nil {
		return profileRule{}, err
	}
	r := profileRule{path: n.path}
	names, hasNames := m["names"]
	name, hasName := m["name"]
	switch {
	case hasNames && hasName:
		return r, name.errorf("a rule has either names or name, not both")
	case hasNames:
		if r.names, err = names.array(); err != nil {
			return r, err
		}
		for _, it := range r.names {
			if _, err := it.str(); err != nil {
				return r, err
			}
		}
	case hasName:
		if _, err := name.str(); err != nil {
			return r, err
		}
		r.names = []jnode{name}
	default:
		return r, n.errorf("missing names")
	}
	act, ok := m["action"]
	if !ok {
		return r, n.errorf("missing action")
	}
	if r.action, err = parseAction(act, m["errnoRet"]); err != nil {
		return r, err
	}
	if c, ok := m["comment"]; ok {
		if _, err := c.str(); err != nil {
			return r, err
		}
	}
	if args, ok := m["args"]; ok {
		items, err := args.array()
		if err != nil {
			return r, err
		}
		if len(items) > policy.MaxArgs {
			return r, args.errorf("at most %d conditions, found %d", policy.MaxArgs, len(items))
		}
		for _, it := range items {
			a, err := parseArg6(it)
			if err != nil {
				return r, err
			}
			r.args = append(r.args, a)
		}
	}
	for key, dst := range map[string]**ruleFilter{"includes": &r.includes, "excludes": &r.excludes} {
		if f, ok := m[key]; ok {
			if *dst, err = parseRuleFilter(f); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// parseArg6 reads one argument condition. value is MASKED_EQ's mask and
// valueTwo its datum, the order of libseccomp's datum_a and datum_b.
func parseArg6(n jnode) (profileArg, error) {
	m, err := n.object("index", "value", "valueTwo", "op")
	if err != nil {
		return profileArg{}, err
	}
	a := profileArg{path: n.path}
	idx, ok := m["index"]
	if !ok {
		return a, n.errorf("missing index")
	}
	i, err := idx.uint(32)
	if err != nil {
		return a, err
	}
	if i >= policy.MaxArgs {
		return a, idx.errorf("argument index %d out of range 0..%d", i, policy.MaxArgs-1)
	}
	a.index = uint(i)
	op, ok := m["op"]
	if !ok {
		return a, n.errorf("missing op")
	}
	s, err := op.str()
	if err != nil {
		return a, err
	}
	if a.op, ok = opNames[s]; !ok {
		return a, op.errorf("unknown operator %q", s)
	}
	if v, ok := m["value"]; ok {
		if a.value, err = v.uint(64); err != nil {
			return a, err
		}
	}
	if v, ok := m["valueTwo"]; ok {
		if a.value2, err = v.uint(64); err != nil {
			return a, err
		}
	}
	return a, nil
}

func parseRuleFilter(n jnode) (*ruleFilter, error) {
	m, err := n.object("arches", "caps", "minKernel")
	if err != nil {
		return nil, err
	}
	f := &ruleFilter{}
	if v, ok := m["arches"]; ok {
		if f.arches, err = v.strs(); err != nil {
			return nil, err
		}
	}
	if v, ok := m["caps"]; ok {
		if f.caps, err = v.strs(); err != nil {
			return nil, err
		}
	}
	if v, ok := m["minKernel"]; ok {
		s, err := v.str()
		if err != nil {
			return nil, err
		}
		if s != "" {
			kv, ok := parseKernelVersion(s)
			if !ok {
				return nil, v.errorf(`bad kernel version %q, want "MAJOR.MINOR"`, s)
			}
			f.minKernel = &kv
		}
	}
	return f, nil
}

// parseKernelVersion reads "5.10" or a release string such as
// "6.1.0-18-amd64", of which only the first two numbers count.
func parseKernelVersion(s string) (kernelVersion, bool) {
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return kernelVersion{}, false
	}
	minor := parts[1]
	if i := strings.IndexFunc(minor, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = minor[:i]
	}
	maj, err1 := strconv.ParseUint(parts[0], 10, 16)
	mnr, err2 := strconv.ParseUint(minor, 10, 16)
	if err1 != nil || err2 != nil || maj == 0 && mnr == 0 {
		return kernelVersion{}, false
	}
	return kernelVersion{maj, mnr}, true
}

// applies decides a rule's includes and excludes for t, as Docker does:
// any matching exclusion drops the rule, and every inclusion must match.
func (r *profileRule) applies(t target) bool {
	arch := dockerArch(t.arch)
	if x := r.excludes; x != nil {
		if slices.Contains(x.arches, arch) {
			return false
		}
		for _, c := range x.caps {
			if slices.Contains(t.caps, c) {
				return false
			}
		}
		if x.minKernel != nil && t.kernel.atLeast(*x.minKernel) {
			return false
		}
	}
	if in := r.includes; in != nil {
		if len(in.arches) > 0 && !slices.Contains(in.arches, arch) {
			return false
		}
		for _, c := range in.caps {
			if !slices.Contains(t.caps, c) {
				return false
			}
		}
		if in.minKernel != nil && !t.kernel.atLeast(*in.minKernel) {
			return false
		}
	}
	return true
}

// buildStats says what building a profile left out.
type buildStats struct {
	rules, skipped int      // rules applied, and left out by includes/excludes
	unknown        []string // names no ABI of the filter knows
}

// build turns the profile into a filter for t, as runc does with
// libseccomp: the host ABI plus the profile's, unknown syscall names
// ignored, rules whose action is the default left out, and conditions on
// the same argument split into separate rules because one rule cannot
// test an argument twice.
func (p *profile) build(t target) (*policy.Filter, buildStats, error) {
	var st buildStats
	f, err := policy.New(p.defaultAction)
	if err != nil {
		return nil, st, &pathError{"defaultAction", err.Error()}
	}
	archs := p.archs
	if t.nativeOnly {
		archs = nil
	}
	for _, e := range p.archMap {
		if e.main.a == t.arch && !t.nativeOnly {
			archs = append(append(archs, e.main), e.subs...)
			break
		}
	}
	for _, r := range archs {
		if f.Table(r.a) != nil {
			continue
		}
		if err := f.AddArch(r.a); err != nil {
			return nil, st, &pathError{r.path, fmt.Sprintf("cannot add %s to a %s filter: %v", r.a.Name, t.arch.Name, err)}
		}
	}
	for _, r := range p.rules {
		if !r.applies(t) {
			st.skipped++
			continue
		}
		st.rules++
		if r.action == p.defaultAction {
			continue
		}
		for _, n := range r.names {
			name, _ := n.str()
			nr, ok := syscalls.Resolve(arch.Host(), name)
			if !ok {
				st.unknown = append(st.unknown, name)
				continue
			}
			for _, conds := range r.condSets() {
				cs := make([]policy.Cond, len(conds))
				for i, a := range conds {
					if cs[i], err = policy.NewCond(a.index, a.op, a.value, a.value2); err != nil {
						return nil, st, &pathError{a.path, err.Error()}
					}
				}
				if err := f.AddRule(r.action, nr, cs, false); err != nil {
					return nil, st, &pathError{n.path, fmt.Sprintf("%s: %v", name, ruleError(err))}
				}
			}
		}
	}
	return f, st, nil
}

// condSets returns the condition lists to add as separate rules.
func (r *profileRule) condSets() [][]profileArg {
	var seen [policy.MaxArgs]bool
	for _, a := range r.args {
		if seen[a.index] {
			sets := make([][]profileArg, len(r.args))
			for i := range r.args {
				sets[i] = r.args[i : i+1]
			}
			return sets
		}
		seen[a.index] = true
	}
	return [][]profileArg{r.args}
}

// ruleError explains the engine's errno answers in a profile's terms.
func ruleError(err error) string {
	switch err {
	case policy.ErrUnsupported:
		return "not supported by the seccomptree engine yet (" + err.Error() + ")"
	case policy.ErrAccess:
		return "the rule's action is the default action"
	}
	return err.Error()
}
