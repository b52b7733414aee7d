package abi_test

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seccomptree/seccomptree/engine/arch"
	enginepolicy "github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/sim"
	"github.com/seccomptree/seccomptree/engine/syscalls"
	"github.com/seccomptree/seccomptree/engine/tree"
)

// Multi-arch filters: random and hand-written policies over every ABI the
// reference supports, with socket and SysV IPC rules that multiplexing
// ABIs also place on socketcall(2) and ipc(2). Decisions are compared on
// every syscall number of every ABI in the filter, with each ABI's byte
// order, and on the multiplexers' call numbers.

// A filter mixes ABIs of one byte order only. The native x86_64 leads the
// little-endian group; the big-endian group starts by removing it.
var (
	littleEndianGroup = []string{"x86", "x32", "arm", "aarch64", "mipsel", "mipsel64", "mipsel64n32", "ppc64le", "riscv64", "loongarch64", "sh"}
	bigEndianGroup    = []string{"s390x", "s390", "ppc64", "ppc", "mips", "mips64", "mips64n32", "parisc", "parisc64", "m68k", "sheb"}
)

var (
	refArchOnce sync.Once
	refArchSet  map[string]bool
	refArchErr  error
)

// referenceArches asks the reference which ABIs it knows.
func referenceArches(h *harness) (map[string]bool, error) {
	refArchOnce.Do(func() {
		var s script
		lines := map[int]*arch.Arch{}
		for _, a := range arch.All {
			lines[s.add("arch_resolve %s", a.Name)] = a
		}
		tr, err := h.ref.run(s.String())
		if err != nil {
			refArchErr = err
			return
		}
		refArchSet = map[string]bool{}
		for line, a := range lines {
			if tr[line].payload == strconv.FormatUint(uint64(a.Token), 10) {
				refArchSet[a.Name] = true
			}
		}
	})
	return refArchSet, refArchErr
}

// muxNames are the calls socketcall(2) and ipc(2) carry.
var muxNames = func() []string {
	var out []string
	for _, name := range syscalls.Names() {
		if p, ok := syscalls.Pseudo(name); ok && (syscalls.IsSocketPseudo(p) || syscalls.IsIPCPseudo(p)) {
			out = append(out, name)
		}
	}
	return out
}()

// hostNr is what SCMP_SYS(name) is on the host: its number, or its pseudo
// number where the host lacks the call (send, recv, socketcall on x86_64).
func hostNr(name string) int32 {
	nr, ok := syscalls.Number(arch.Host(), name)
	if !ok {
		panic("no host number for " + name)
	}
	return nr
}

// multiGen draws multi-arch policies.
type multiGen struct {
	le, be []*arch.Arch // the reference's ABIs of each group, native excluded
}

func (g multiGen) hostRuleNr(r *rand.Rand) int32 {
	switch n := r.IntN(20); {
	case n < 8:
		return hostNr(muxNames[r.IntN(len(muxNames))])
	case n == 8:
		return hostNr([]string{"socketcall", "ipc"}[r.IntN(2)])
	}
	// x86_64's 0..334 are all known to libseccomp 2.5.4.
	return r.Int32N(335)
}

func (g multiGen) policy(r *rand.Rand, name string) *policy {
	var base generator
	// ERRNO data above 4095 makes seccomp_init fail, and the reference
	// crashes on arch calls with the NULL context that leaves.
	def := base.defaultAction(r)
	if def&0xffff0000 == 0x00050000 {
		def &= 0xffff0fff
	}
	p := &policy{name: name, def: def}
	if r.IntN(5) == 0 {
		p.ops = append(p.ops, attrSet{attrActBadArch, base.defaultAction(r)})
	}
	group, big := g.le, r.IntN(2) == 0
	if big {
		group = g.be
		p.ops = append(p.ops, archRemove{arch.Native})
	}
	abis := append([]*arch.Arch(nil), group...)
	r.Shuffle(len(abis), func(i, j int) { abis[i], abis[j] = abis[j], abis[i] })
	abis = abis[:1+r.IntN(len(abis))]
	if big {
		// A filter without any ABI refuses rules; start with one.
		p.ops = append(p.ops, archAdd{abis[0].Token})
		abis = abis[1:]
	}
	steps := 4 + r.IntN(30)
	for i := 0; i < steps || len(abis) > 0; i++ {
		if len(abis) > 0 && (i >= steps || r.IntN(4) == 0) {
			p.ops = append(p.ops, archAdd{abis[0].Token})
			abis = abis[1:]
			continue
		}
		if r.IntN(10) == 0 {
			p.ops = append(p.ops, priority{g.hostRuleNr(r), uint8(r.IntN(256))})
			continue
		}
		ru := rule{action: base.action(r), nr: g.hostRuleNr(r), exact: r.IntN(10) == 0}
		if ru.action == p.def {
			ru.action = actErrno(uint16(300 + r.IntN(3)))
		}
		if r.IntN(3) == 0 {
			used := map[uint]bool{}
			for range 1 + r.IntN(2) {
				c := cond{arg: uint(r.IntN(3)), op: cmpOp(1 + r.IntN(7)), a: argPool[r.IntN(len(argPool))]}
				if r.IntN(3) == 0 {
					c.a = uint64(r.IntN(26)) // a plausible call number for A0
				}
				if c.op == cmpMaskedEQ {
					c.b = argPool[r.IntN(len(argPool))]
				}
				if !used[c.arg] {
					used[c.arg] = true
					ru.conds = append(ru.conds, c)
				}
			}
		}
		p.ops = append(p.ops, ru)
	}
	return p
}

// engineFilter builds p with our engine in process, or returns nil when a
// call fails in a way the libraries would report. legacy selects 2.5.4's
// merge (LIBSECCOMP-BUGS #1).
func engineFilter(p *policy, legacy bool) *enginepolicy.Filter {
	f, err := enginepolicy.New(enginepolicy.Action(p.def))
	if err != nil {
		return nil
	}
	f.Legacy254 = legacy
	for _, o := range p.ops {
		switch o := o.(type) {
		case archAdd:
			if a, ok := arch.ByToken(o.token); ok {
				_ = f.AddArch(a)
			}
		case archRemove:
			if a, ok := arch.ByToken(o.token); ok {
				_ = f.RemoveArch(a)
			}
		case attrSet:
			_ = f.Set(enginepolicy.Attr(o.attr), o.value)
		case priority:
			_ = f.SetPriority(o.nr, o.pri)
		case rule:
			var conds []enginepolicy.Cond
			for _, c := range o.conds {
				ec, err := enginepolicy.NewCond(c.arg, enginepolicy.Op(c.op), c.a, c.b)
				if err != nil {
					return nil
				}
				conds = append(conds, ec)
			}
			_ = f.AddRule(enginepolicy.Action(o.action), o.nr, conds, o.exact)
		}
	}
	return f
}

// abiNumbers is every number compared on ABI a: 0..1100 from its base,
// every number its table has (ARM's private calls sit at 0xf0000), and
// the unbased range too where there is a base, since other ABIs sharing
// the token (x86_64 for x32) live there.
func abiNumbers(a *arch.Arch) []int32 {
	set := map[int32]bool{-1: true, -2: true, 0x7fffffff: true, -0x80000000: true}
	base := int32(0)
	switch {
	case a.IsX32Sibling():
		base = arch.X32SyscallBit
	case strings.HasPrefix(a.Name, "mips"):
		read, _ := syscalls.Number(a, "read")
		base = read / 1000 * 1000
	}
	for nr := range int32(1101) {
		set[nr] = true
		set[base+nr] = true
	}
	for nr := range syscalls.Numbers(a) {
		set[nr] = true
		set[nr+1] = true
	}
	out := make([]int32, 0, len(set))
	for nr := range set {
		out = append(out, nr)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// multiInputs lists the inputs compared for p: every number of every ABI
// the filter covers, on its token; argument probes on every syscall a
// rule lands on and the call numbers 0..25 on each multiplexer; a sample
// of every other ABI's numbers, which must get the bad-arch action.
func multiInputs(p *policy, f *enginepolicy.Filter, r *rand.Rand) []sim.Data {
	vals := argProbes(p)
	for v := range uint64(26) {
		vals = append(vals, v)
	}
	var out []sim.Data
	add := func(tok arch.Token, nr int32, args [6]uint64) {
		out = append(out, sim.Data{Nr: nr, Arch: uint32(tok), IP: r.Uint64(), Args: args})
	}
	randomArgs := func() (args [6]uint64) {
		for i := range args {
			args[i] = vals[r.IntN(len(vals))]
		}
		return args
	}
	covered := map[arch.Token]bool{}
	for _, t := range f.Tables {
		a, tok := t.Arch, t.Arch.KernelToken()
		covered[tok] = true
		for _, nr := range abiNumbers(a) {
			add(tok, nr, randomArgs())
		}
		probe := map[int32]bool{}
		for nr, sc := range t.Syscalls {
			if sc.Rules != nil {
				probe[nr] = true
			}
		}
		for _, mux := range []string{"socketcall", "ipc"} {
			if nr, ok := syscalls.Number(a, mux); ok && nr >= 0 {
				probe[nr] = true
				for call := range uint64(26) {
					args := randomArgs()
					args[0] = call
					add(tok, nr, args)
					args[0] |= 1 << 32 // only the low word selects on 32-bit ABIs
					add(tok, nr, args)
				}
			}
		}
		for nr := range probe {
			for range 60 {
				add(tok, nr, randomArgs())
			}
		}
	}
	for _, a := range arch.All {
		if tok := a.KernelToken(); !covered[tok] {
			for nr := int32(0); nr < 1100; nr += 37 {
				add(tok, nr, randomArgs())
			}
		}
	}
	return out
}

// checkMultiPolicies runs policies through both libraries and compares
// return codes and decisions.
func (h *harness) checkMultiPolicies(t *testing.T, policies []*policy, seed uint64) {
	runBatches(t, h, policies, seed, batchRun[multiCalls]{
		size:    32,
		timeout: 10 * time.Second,
		add:     appendMulti,
		last:    func(at multiCalls) int { return at.export },
		check: func(t *testing.T, p *policy, at multiCalls, ref, ours transcript, seed uint64) {
			t.Parallel()
			compareMultiRun(p, at, ref, ours, seed, !h.sameLibrary).report(t, p)
		},
	})
}

// multiCalls is calls plus an arch_exist probe, before the export, for
// every ABI the policy adds.
type multiCalls struct {
	calls
	exist map[*arch.Arch]int
}

func appendMulti(p *policy, s *script) multiCalls {
	c := multiCalls{exist: map[*arch.Arch]int{}}
	c.init = s.add("init %#x", p.def)
	for _, o := range p.ops {
		c.ops = append(c.ops, s.add("%s", o.command()))
	}
	for _, o := range p.ops {
		if add, ok := o.(archAdd); ok {
			if a, ok := arch.ByToken(add.token); ok {
				c.exist[a] = s.add("arch_exist %#x", uint32(a.Token))
			}
		}
	}
	c.export = s.add("export")
	s.add("release")
	return c
}

// bugRevertedArch: libseccomp keeps a copy of the filter from its last
// successful rule (a "shadow" transaction snapshot) and restores it when
// a later rule fails. Nothing that is not a rule refreshes that copy, so
// an ABI added in between vanishes from the filter, rules and all, when
// a rule fails after it (2.5.4 and 2.6.1, db.c transactions). Found by
// this test; to be listed in LIBSECCOMP-BUGS.md.
const bugRevertedArch = "failed rule reverts an earlier arch_add (libseccomp's stale shadow snapshot)"

// revertedArches lists the ABIs the reference lost to bugRevertedArch:
// ours has them, the reference's arch_exist says they are gone, and a
// rule failed in the reference after each was added.
func revertedArches(p *policy, at multiCalls, ref, ours transcript) map[*arch.Arch]bool {
	out := map[*arch.Arch]bool{}
	for a, line := range at.exist {
		if ref[line].rc != -17 || ours[line].rc != 0 {
			continue
		}
		added := false
		for i, o := range p.ops {
			if add, ok := o.(archAdd); ok && add.token == a.Token {
				added = true
			}
			if _, isRule := o.(rule); added && isRule && ref[at.ops[i]].rc < 0 {
				out[a] = true
			}
		}
	}
	return out
}

// belongs reports whether the kernel would report d as a call of ABI a.
func belongs(a *arch.Arch, d sim.Data) bool {
	if arch.Token(d.Arch) != a.KernelToken() {
		return false
	}
	switch a.Name {
	case "x32":
		return uint32(d.Nr)&arch.X32SyscallBit != 0
	case "x86_64":
		return uint32(d.Nr)&arch.X32SyscallBit == 0
	}
	return true
}

func revertedFor(reverted map[*arch.Arch]bool, d sim.Data) bool {
	for a := range reverted {
		if belongs(a, d) {
			return true
		}
	}
	return false
}

// badArchAction is the bad-arch action p's filter ends up with.
func badArchAction(p *policy) uint32 {
	act := actKillThread
	for _, o := range p.ops {
		if a, ok := o.(attrSet); ok && a.attr == attrActBadArch {
			act = a.value
		}
	}
	return act
}

func compareMultiRun(p *policy, at multiCalls, ref, ours transcript, seed uint64, expect bool) *comparison {
	c := &comparison{}
	skip := map[inputKey]string{}
	reverted := revertedArches(p, at, ref, ours)
	for a, line := range at.exist {
		if ref[line].rc != ours[line].rc && !reverted[a] {
			c.failf("arch_exist %s: returned %d by the reference, %d by ours", a, ref[line].rc, ours[line].rc)
		}
	}
	if !c.compareCodes(p, at.calls, ref, ours, skip) {
		return c
	}
	if ref[at.export].rc != 0 || ours[at.export].rc != 0 || len(c.failures) > 0 {
		return c
	}
	f := engineFilter(p, false)
	if f == nil || len(f.Tables) == 0 {
		c.failf("the engine cannot build the policy in process")
		return c
	}
	bigEndian := f.Tables[0].Arch.BigEndian
	refProg, err1 := loadProgramOrder(ref[at.export].payload, bigEndian)
	oursProg, err2 := loadProgramOrder(ours[at.export].payload, bigEndian)
	if err2 != nil && bigEndian != arch.Host().BigEndian {
		// TestExportByteOrder fails on this; compare decisions all
		// the same, to learn what else differs.
		if host, err := loadProgram(ours[at.export].payload); err == nil {
			c.excuse(oursExportOrder)
			oursProg, err2 = host, nil
		}
	}
	if err1 != nil || err2 != nil {
		c.failf("programs: reference %v, ours %v", err1, err2)
		return c
	}
	var legacy *sim.Program
	if lf := engineFilter(p, true); lf != nil {
		if prog, err := tree.Generate(lf); err == nil {
			legacy, _ = sim.New(prog)
		}
	}
	states := accStates(refProg.raw)
	var bad []mismatch
	for _, d := range multiInputs(p, f, rand.New(rand.NewPCG(seed, 0xa4c4))) {
		rd, _ := refProg.sim.Run(d, bigEndian)
		od, _ := oursProg.sim.Run(d, bigEndian)
		if rd == od {
			continue
		}
		if bug, ok := skip[inputKey{arch.Token(d.Arch), d.Nr}]; ok {
			c.excuse(bug)
			continue
		}
		if bug := decisionExcuse(p, refProg.sim, d, rd, bigEndian); bug != "" {
			c.excuse(bug)
			continue
		}
		if rd == badArchAction(p) && revertedFor(reverted, d) {
			c.excuse(bugRevertedArch)
			continue
		}
		if staleRead(refProg, states, d, bigEndian) && repairable(refProg.raw, states, d, bigEndian, od) {
			c.excuse(bugStaleAccumulator)
			continue
		}
		if legacy != nil && legacyDecides(legacy, d, bigEndian) == rd {
			c.excuse(bugWeakMerge)
			continue
		}
		bad = append(bad, mismatch{d, rd, od})
	}
	if expect {
		for _, e := range p.expect {
			d := sim.Data{Nr: e.nr, Arch: uint32(e.token)}
			if got, _ := oursProg.sim.Run(d, bigEndian); got != e.action {
				c.failf("arch %#x nr %d: ours decides %s, the policy demands %s\nour program:\n%s",
					uint32(e.token), e.nr, actionName(got), actionName(e.action), sim.Disassemble(oursProg.raw))
			}
		}
	}
	if len(bad) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d inputs decided differently (big-endian %v); first %d:\n", len(bad), bigEndian, min(len(bad), maxListed))
		for _, m := range bad[:min(len(bad), maxListed)] {
			fmt.Fprintf(&b, "  %v\n", m)
		}
		fmt.Fprintf(&b, "reference program:\n%s\nour program:\n%s", sim.Disassemble(refProg.raw), sim.Disassemble(oursProg.raw))
		c.failures = append(c.failures, b.String())
	}
	return c
}

// oursExportOrder marks comparisons that had to read our export in host
// order; TestExportByteOrder reports the problem itself.
const oursExportOrder = "ours exported a big-endian filter in host byte order (see TestExportByteOrder)"

// loadProgramOrder decodes an exported program whose words are in the
// given byte order, and validates it.
func loadProgramOrder(payload string, bigEndian bool) (*loadedProgram, error) {
	raw, err := decodeProgram(payload)
	if err != nil {
		return nil, err
	}
	if bigEndian != arch.Host().BigEndian {
		for i := range raw {
			raw[i].Op = bits.ReverseBytes16(raw[i].Op)
			raw[i].K = bits.ReverseBytes32(raw[i].K)
		}
	}
	p, err := sim.New(raw)
	if err != nil {
		return nil, fmt.Errorf("the kernel would refuse it: %v\n%s", err, sim.Disassemble(raw))
	}
	return &loadedProgram{raw: raw, sim: p}, nil
}

func multiGenerator(t *testing.T, h *harness) multiGen {
	known, err := referenceArches(h)
	if err != nil {
		t.Fatalf("cannot ask the reference for its ABIs: %v", err)
	}
	var g multiGen
	for _, name := range littleEndianGroup {
		if known[name] {
			g.le = append(g.le, arch.MustByName(name))
		}
	}
	for _, name := range bigEndianGroup {
		if known[name] {
			g.be = append(g.be, arch.MustByName(name))
		}
	}
	if len(g.le) == 0 || len(g.be) == 0 {
		t.Fatalf("the reference knows too few ABIs: %v", known)
	}
	return g
}

func TestMultiArchRandom(t *testing.T) {
	h := setup(t)
	g := multiGenerator(t, h)
	n := 240
	if testing.Short() {
		n = 60
	}
	policies := make([]*policy, n)
	for i := range policies {
		r := rand.New(rand.NewPCG(*randomSeed, 0xa4c4000+uint64(i)))
		policies[i] = g.policy(r, fmt.Sprintf("multi-%d-%d", *randomSeed, i))
	}
	h.checkMultiPolicies(t, policies, *randomSeed)
}

func tok(name string) arch.Token { return arch.MustByName(name).Token }

func TestMultiArchHandWritten(t *testing.T) {
	h := setup(t)
	known, err := referenceArches(h)
	if err != nil {
		t.Fatal(err)
	}
	var (
		socket  = hostNr("socket")
		connect = hostNr("connect")
		recv    = hostNr("recv")
		shmget  = hostNr("shmget")
		semop   = hostNr("semop")
		sockmux = hostNr("socketcall")
		ipcmux  = hostNr("ipc")
	)
	x32Read := int32(arch.X32SyscallBit)
	policies := []*policy{
		{name: "x86_64+x32", def: actErrno(1), ops: append([]op{archAdd{x32}},
			allow(nrRead, nrWrite, nrExitGroup, socket)...),
			expect: []expectation{{x86_64, x32Read, actAllow}, {x86_64, nrRead, actAllow}, {x86_64, x32Read + 2, actErrno(1)}}},
		{name: "x32+x86_64", def: actErrno(1), ops: append([]op{archRemove{arch.Native}, archAdd{x32}, archAdd{x86_64}},
			allow(nrRead, nrWrite, nrExitGroup, socket)...),
			expect: []expectation{{x86_64, x32Read, actAllow}, {x86_64, nrRead, actAllow}}},
		{name: "x32-alone", def: actAllow, ops: []op{archRemove{arch.Native}, archAdd{x32},
			rule{action: actErrno(2), nr: nrOpen}, attrSet{attrActBadArch, actErrno(9)}},
			expect: []expectation{{x86_64, nrRead, actErrno(9)}, {x86_64, x32Read + 2, actErrno(2)}}},
		{name: "x86_64-without-x32", def: actAllow, ops: []op{attrSet{attrActBadArch, actErrno(7)},
			rule{action: actErrno(2), nr: nrOpen}},
			expect: []expectation{{x86_64, x32Read, actErrno(7)}, {x86_64, nrOpen, actErrno(2)}}},
		{name: "aarch64+arm", def: actKillProcess, ops: append([]op{archRemove{arch.Native}, archAdd{aarch64}, archAdd{tok("arm")}},
			allow(nrRead, nrWrite, nrClose, nrExitGroup, nrOpenat, socket, connect, recv)...)},
		{name: "rules-before-arch-add", def: actAllow, ops: []op{
			rule{action: actErrno(1), nr: nrRead}, rule{action: actErrno(2), nr: socket},
			archAdd{x86},
			rule{action: actErrno(3), nr: nrWrite}, rule{action: actErrno(4), nr: connect}},
			expect: []expectation{{x86, 3, actAllow}, {x86, 4, actErrno(3)}, {x86_64, nrRead, actErrno(1)}, {x86, 359, actAllow}, {x86, 362, actErrno(4)}}},
		{name: "x86-socket-args", def: actAllow, ops: []op{archAdd{x86},
			rule{action: actErrno(1), nr: socket, conds: []cond{eqc(0, 2), eqc(1, 1)}},
			rule{action: actErrno(2), nr: connect, conds: []cond{cmpc(2, cmpGT, 16)}},
			rule{action: actErrno(3), nr: recv},
			rule{action: actErrno(4), nr: shmget, conds: []cond{eqc(0, 99)}},
			rule{action: actErrno(5), nr: semop}}},
		{name: "x86-muxer-rules", def: actKillThread, ops: []op{archRemove{arch.Native}, archAdd{x86},
			rule{action: actAllow, nr: sockmux, conds: []cond{eqc(0, 3)}},
			rule{action: actErrno(1), nr: socket},
			rule{action: actAllow, nr: ipcmux},
			rule{action: actErrno(2), nr: shmget}}},
		{name: "x86-exact-socket", def: actAllow, ops: []op{archRemove{arch.Native}, archAdd{x86},
			rule{action: actErrno(1), nr: socket, exact: true},
			rule{action: actErrno(2), nr: connect, exact: true, conds: []cond{eqc(1, 0)}},
			rule{action: actErrno(3), nr: recv, exact: true},
			rule{action: actErrno(4), nr: shmget, exact: true, conds: []cond{eqc(1, 0)}},
			priority{socket, 200}, priority{recv, 10}, priority{shmget, 30}}},
		{name: "x86-priority-socket-first", def: actKillThread, ops: []op{
			archRemove{arch.Native}, archAdd{x86}, priority{socket, 255},
			rule{action: actAllow, nr: nrRead}, rule{action: actAllow, nr: nrWrite}}},
	}
	for _, name := range []string{"s390x", "s390", "ppc64", "ppc", "mips", "ppc64le", "mipsel"} {
		if !known[name] {
			continue
		}
		a := arch.MustByName(name)
		var ops []op
		if a.BigEndian {
			ops = append(ops, archRemove{arch.Native})
		}
		ops = append(ops, archAdd{a.Token},
			rule{action: actErrno(1), nr: socket},
			rule{action: actErrno(2), nr: connect, conds: []cond{eqc(0, 3)}},
			rule{action: actErrno(3), nr: recv, conds: []cond{cmpc(2, cmpLT, 100)}},
			rule{action: actErrno(4), nr: shmget},
			rule{action: actErrno(5), nr: semop, conds: []cond{maskc(1, 0xff, 1)}},
			priority{shmget, 99},
			rule{action: actErrno(6), nr: sockmux, conds: []cond{eqc(0, 5)}},
			rule{action: actAllow, nr: nrRead})
		policies = append(policies, &policy{name: name + "-socket-ipc", def: actKillProcess, ops: ops})
		if a.BigEndian {
			policies = append(policies, &policy{name: name + "-exact", def: actAllow, ops: []op{
				archRemove{arch.Native}, archAdd{a.Token},
				rule{action: actErrno(1), nr: socket, exact: true},
				rule{action: actErrno(2), nr: connect, exact: true, conds: []cond{eqc(0, 3)}},
				rule{action: actErrno(3), nr: shmget, exact: true},
				rule{action: actErrno(4), nr: nrRead, exact: true, conds: []cond{eqc(0, 3)}}}})
		}
	}
	h.checkMultiPolicies(t, policies, 0xa4c4)
}

// TestExportByteOrder: seccomp_export_bpf writes a filter's instructions
// in the byte order of its ABIs (libseccomp's gen_bpf converts every
// opcode and constant to the target's order), so that a filter built on
// one machine can be loaded on another. A big-endian filter exported on a
// little-endian host must come out big-endian, as the reference's does.
func TestExportByteOrder(t *testing.T) {
	h := setup(t)
	known, err := referenceArches(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arch.All {
		if !known[a.Name] || a.BigEndian == arch.Host().BigEndian {
			continue
		}
		var s script
		s.add("init KILL")
		s.add("arch_remove native")
		s.add("arch_add %#x", uint32(a.Token))
		s.add("rule ALLOW %d", nrRead)
		s.add("rule ERRNO(1) %d 0 EQ 3 0", nrWrite)
		export := s.add("export")
		ref, ours, refErr, oursErr := h.runBoth(s.String())
		if refErr != nil || oursErr != nil {
			t.Fatalf("driver: reference: %v; ours: %v", refErr, oursErr)
		}
		if _, err := loadProgramOrder(ref[export].payload, a.BigEndian); err != nil {
			t.Errorf("%s: the reference's export is not in the ABI's byte order: %v", a, err)
		}
		if _, err := loadProgramOrder(ours[export].payload, a.BigEndian); err != nil {
			t.Errorf("%s: our export is not in the ABI's byte order (capi encode writes host order): %v", a, err)
		}
	}
}
