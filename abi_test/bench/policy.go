package main

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	mobyseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/tree"
)

// Raw SCMP_ACT_* values, as the C side hands them to libseccomp unchanged.
const (
	actKillProcess = 0x80000000
	actKillThread  = 0x00000000
	actTrap        = 0x00030000
	actErrno       = 0x00050000
	actTrace       = 0x7ff00000
	actLog         = 0x7ffc0000
	actAllow       = 0x7fff0000
)

func errnoAction(e unix.Errno) uint32 { return actErrno | uint32(e)&0xffff }

// Cond is one struct scmp_arg_cmp.
type Cond struct {
	Arg, Op uint32
	A, B    uint64
}

// Rule is one seccomp_rule_add call, by syscall name so that each library
// resolves the number itself, as real callers do.
type Rule struct {
	Action uint32
	Name   string
	Conds  []Cond
}

// LiveCase is one syscall timed in the live measurement.
type LiveCase struct {
	Label string
	Name  string
	Args  [3]uint64
	// Want is the result the filter must produce: "ok" for any
	// non-negative return, otherwise an errno number.
	Want string
}

// Policy is one row group of the table.
type Policy struct {
	Name    string
	Default uint32
	Rules   []Rule

	// The live measurement loads a variant of the policy so that denied
	// calls come back as errors instead of killing the child: LiveDefault
	// (if set) replaces Default and LiveExtra is appended.
	LiveDefault uint32
	LiveExtra   []Rule
	// ArgCase is an allowed syscall decided by an argument rule, or nil
	// when the policy has none (ArgNA says so in the table's notes).
	ArgCase *LiveCase
	Deny    LiveCase
	Note    string
}

func (p *Policy) script(live bool) []byte {
	var b bytes.Buffer
	def, rules := p.Default, p.Rules
	if live {
		if p.LiveDefault != 0 {
			def = p.LiveDefault
		}
		rules = append(slices.Clip(rules), p.LiveExtra...)
	}
	fmt.Fprintf(&b, "default %x\n", def)
	for _, r := range rules {
		fmt.Fprintf(&b, "rule %x %s %d", r.Action, r.Name, len(r.Conds))
		for _, c := range r.Conds {
			fmt.Fprintf(&b, " %d %d %x %x", c.Arg, c.Op, c.A, c.B)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// allows reports whether name has an unconditional allow rule, or is
// allowed by default and not named at all.
func (p *Policy) allows(name string) bool {
	for _, r := range p.Rules {
		if r.Name == name {
			return r.Action == actAllow && len(r.Conds) == 0
		}
	}
	return p.Default == actAllow
}

// nameList reads a data file of whitespace-separated names with # comments.
func nameList(file string) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(mustData(file)))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		names = append(names, strings.Fields(line)...)
	}
	return names
}

// weights is the syscall frequency profile the tree generator is shaped
// by (engine/tree's profile.txt), so that "weighted mean" measures what the
// generator optimises for; the system library is measured with the same
// weights.
func weights() (map[string]float64, error) {
	return tree.Profile(), nil
}

// dockerCaps is the capability set of a plain `docker run`.
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

var ociActions = map[specs.LinuxSeccompAction]uint32{
	specs.ActKill:        actKillThread,
	specs.ActKillThread:  actKillThread,
	specs.ActKillProcess: actKillProcess,
	specs.ActTrap:        actTrap,
	specs.ActErrno:       actErrno,
	specs.ActTrace:       actTrace,
	specs.ActLog:         actLog,
	specs.ActAllow:       actAllow,
}

var ociOps = map[specs.LinuxSeccompOperator]uint32{
	specs.OpNotEqual: 1, specs.OpLessThan: 2, specs.OpLessEqual: 3,
	specs.OpEqualTo: 4, specs.OpGreaterEqual: 5, specs.OpGreaterThan: 6,
	specs.OpMaskedEqual: 7,
}

// ociAction turns an OCI action and its errno into the raw value; like
// runc, an ERRNO or TRACE without errnoRet means EPERM.
func ociAction(a specs.LinuxSeccompAction, ret *uint) (uint32, error) {
	v, ok := ociActions[a]
	if !ok {
		return 0, fmt.Errorf("docker profile: unsupported action %s", a)
	}
	if v == actErrno || v == actTrace {
		e := uint(unix.EPERM)
		if ret != nil {
			e = *ret
		}
		v |= uint32(e) & 0xffff
	}
	return v, nil
}

// dockerProfiles are moby's default profile in the module's last release
// (docker) and at the repository's newest commit (docker-head, from
// testdata/moby-default.json), each after moby's own filtering by arch,
// capabilities and kernel version: what runc receives.
func dockerProfiles() (map[string]*specs.LinuxSeccomp, error) {
	rs := &specs.Spec{Process: &specs.Process{
		Capabilities: &specs.LinuxCapabilities{Bounding: dockerCaps},
	}}
	release, err := mobyseccomp.GetDefaultProfile(rs)
	if err != nil {
		return nil, err
	}
	head, err := mobyseccomp.LoadProfile(string(mustData("moby-default.json")), rs)
	if err != nil {
		return nil, fmt.Errorf("testdata/moby-default.json: %w", err)
	}
	return map[string]*specs.LinuxSeccomp{"docker": release, "docker-head": head}, nil
}

var dockerNotes = map[string]string{
	"docker":      "moby/profiles/seccomp v0.3.0 DefaultProfile(), x86_64, Docker's default caps",
	"docker-head": "moby/profiles seccomp/default.json at cd3bed8 (newer than v0.3.0: socket\nrule is domain < 38, == 39 or > 40), x86_64, Docker's default caps",
}

// dockerPolicy is one of moby's default profiles as runc would load it for
// an x86_64 container with Docker's default capabilities on this kernel.
// known filters names the system libseccomp cannot resolve, which runc
// skips.
func dockerPolicy(name string, sc *specs.LinuxSeccomp, known map[string]bool) (*Policy, error) {
	def, err := ociAction(sc.DefaultAction, sc.DefaultErrnoRet)
	if err != nil {
		return nil, err
	}
	p := &Policy{
		Name:    name,
		Default: def,
		ArgCase: &LiveCase{Label: "arg", Name: "personality", Args: [3]uint64{0xffffffff}, Want: "ok"},
		Note:    dockerNotes[name],
	}
	skipped := 0
	for _, s := range sc.Syscalls {
		act, err := ociAction(s.Action, s.ErrnoRet)
		if err != nil {
			return nil, err
		}
		var conds []Cond
		seen := map[uint]bool{}
		for _, a := range s.Args {
			if seen[a.Index] {
				// runc splits such a rule in two; the default profile
				// never needs it, so notice if that ever changes.
				return nil, fmt.Errorf("docker profile: %v repeats argument %d", s.Names, a.Index)
			}
			seen[a.Index] = true
			op, ok := ociOps[a.Op]
			if !ok {
				return nil, fmt.Errorf("docker profile: unsupported operator %s", a.Op)
			}
			conds = append(conds, Cond{Arg: uint32(a.Index), Op: op, A: a.Value, B: a.ValueTwo})
		}
		for _, n := range s.Names {
			if !known[n] {
				skipped++
				continue
			}
			p.Rules = append(p.Rules, Rule{Action: act, Name: n, Conds: conds})
		}
	}
	p.Note += fmt.Sprintf(";\n%d names libseccomp 2.5.4 does not know skipped (runc skips them too)", skipped)
	return p, nil
}

// policies builds the six benchmark policies. table is the host's syscall
// table (name to number); known is what the system libseccomp resolves.
func policies(table map[string]int32, known map[string]bool) ([]*Policy, error) {
	profiles, err := dockerProfiles()
	if err != nil {
		return nil, err
	}
	docker, err := dockerPolicy("docker", profiles["docker"], known)
	if err != nil {
		return nil, err
	}
	head, err := dockerPolicy("docker-head", profiles["docker-head"], known)
	if err != nil {
		return nil, err
	}
	eperm := errnoAction(unix.EPERM)

	deny := nameList("denylist.txt")
	denylist := &Policy{Name: "denylist", Default: actAllow,
		Note: fmt.Sprintf("default ALLOW, %d syscalls ERRNO(EPERM)", len(deny))}
	for _, n := range deny {
		denylist.Rules = append(denylist.Rules, Rule{Action: eperm, Name: n})
	}

	byNr := make([]string, 0, len(table))
	for n := range table {
		byNr = append(byNr, n)
	}
	slices.SortFunc(byNr, func(a, b string) int { return int(table[a] - table[b]) })
	allow := &Policy{Name: "allowlist", Default: actKillProcess, LiveDefault: eperm}
	for _, n := range byNr {
		if len(allow.Rules) == 306 {
			break
		}
		if known[n] && !slices.Contains(deny, n) {
			allow.Rules = append(allow.Rules, Rule{Action: actAllow, Name: n})
		}
	}
	if len(allow.Rules) != 306 {
		return nil, fmt.Errorf("allowlist: only %d syscalls to allow", len(allow.Rules))
	}
	allow.Note = fmt.Sprintf("306 lowest x86_64 numbers not in the denylist allowed, default KILL_PROCESS (live: ERRNO)")

	systemd := &Policy{Name: "systemd", Default: eperm}
	for _, n := range nameList("systemd_system_service.txt") {
		if !slices.ContainsFunc(systemd.Rules, func(r Rule) bool { return r.Name == n }) {
			systemd.Rules = append(systemd.Rules, Rule{Action: actAllow, Name: n})
		}
	}
	systemd.Note = fmt.Sprintf("@system-service (%d names) allowed, default ERRNO(EPERM)", len(systemd.Rules))

	ioctl := &Policy{Name: "ioctl", Default: eperm,
		LiveExtra: []Rule{{Action: actAllow, Name: "getppid"}},
		Note:      "200 ioctl rules (A1 == cmd) allowed, default ERRNO(EPERM) (live: + getppid)"}
	for i := range 200 {
		// Plausible _IOC encodings: distinct (type, nr) pairs with a mix of
		// directions and sizes, so no two commands share all 32 bits.
		dir, size, typ, nr := uint64(i%4), uint64(8*(1+i%8)), uint64(0x40+i/32), uint64(i%32)
		cmd := dir<<30 | size<<16 | typ<<8 | nr
		ioctl.Rules = append(ioctl.Rules, Rule{Action: actAllow, Name: "ioctl",
			Conds: []Cond{{Arg: 1, Op: 4, A: cmd}}})
	}
	last := ioctl.Rules[len(ioctl.Rules)-1].Conds[0].A
	// fd -1 fails with EBADF once the filter lets the call through.
	ioctl.ArgCase = &LiveCase{Label: "arg", Name: "ioctl", Args: [3]uint64{^uint64(0), last},
		Want: strconv.Itoa(int(unix.EBADF))}

	all := []*Policy{docker, head, allow, denylist, systemd, ioctl}
	for _, p := range all {
		// An unimplemented syscall: harmless should a filter let it through.
		p.Deny = LiveCase{Label: "deny", Name: "lookup_dcookie", Want: strconv.Itoa(int(unix.EPERM))}
		if p.allows(p.Deny.Name) {
			return nil, fmt.Errorf("%s: %s is allowed; pick another denied syscall", p.Name, p.Deny.Name)
		}
		if !p.allows("getppid") && !slices.ContainsFunc(p.LiveExtra, func(r Rule) bool { return r.Name == "getppid" }) {
			return nil, fmt.Errorf("%s: getppid is not allowed", p.Name)
		}
	}
	return all, nil
}
