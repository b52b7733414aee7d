package abi_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/seccomptree/seccomptree/engine/arch"
)

// Actions, as seccomp.h spells them.
const (
	actKillThread  uint32 = 0x00000000
	actKillProcess uint32 = 0x80000000
	actTrap        uint32 = 0x00030000
	actLog         uint32 = 0x7ffc0000
	actAllow       uint32 = 0x7fff0000
)

func actErrno(n uint16) uint32 { return 0x00050000 | uint32(n) }
func actTrace(n uint16) uint32 { return 0x7ff00000 | uint32(n) }

// actionName renders a filter return value for people.
func actionName(v uint32) string {
	data := v & 0xffff
	switch v & 0xffff0000 {
	case actKillProcess:
		return "KILL_PROCESS"
	case actKillThread:
		return "KILL_THREAD"
	case actTrap:
		return fmt.Sprintf("TRAP(%d)", data)
	case 0x00050000:
		return fmt.Sprintf("ERRNO(%d)", data)
	case 0x7fc00000:
		return "NOTIFY"
	case 0x7ff00000:
		return fmt.Sprintf("TRACE(%d)", data)
	case actLog:
		return "LOG"
	case actAllow:
		return "ALLOW"
	}
	return fmt.Sprintf("%#08x", v)
}

// Filter attributes, enum scmp_filter_attr.
const (
	attrActDefault  = 1
	attrActBadArch  = 2
	attrCtlOptimize = 8
)

// Comparison operators, enum scmp_compare.
type cmpOp uint32

const (
	cmpNE cmpOp = iota + 1
	cmpLT
	cmpLE
	cmpEQ
	cmpGE
	cmpGT
	cmpMaskedEQ
)

// op is one library call made on a filter after seccomp_init; command is
// its driver line.
type op interface {
	command() string
}

type archAdd struct{ token arch.Token }
type archRemove struct{ token arch.Token }
type attrSet struct{ attr, value uint32 }
type priority struct {
	nr  int32
	pri uint8
}

// cond is one struct scmp_arg_cmp.
type cond struct {
	arg  uint
	op   cmpOp
	a, b uint64
}

type rule struct {
	action uint32
	nr     int32
	exact  bool
	conds  []cond
}

func (o archAdd) command() string    { return fmt.Sprintf("arch_add %#x", uint32(o.token)) }
func (o archRemove) command() string { return fmt.Sprintf("arch_remove %#x", uint32(o.token)) }
func (o attrSet) command() string    { return fmt.Sprintf("attr_set %d %#x", o.attr, o.value) }
func (o priority) command() string   { return fmt.Sprintf("priority %d %d", o.nr, o.pri) }

func (o rule) command() string {
	var b strings.Builder
	verb := "rule"
	if o.exact {
		verb = "rule_exact"
	}
	fmt.Fprintf(&b, "%s %#x %d", verb, o.action, o.nr)
	for _, c := range o.conds {
		fmt.Fprintf(&b, " %d %d %#x %#x", c.arg, c.op, c.a, c.b)
	}
	return b.String()
}

// expectation is a decision a policy must produce regardless of what the
// reference does; hand-written policies use it to pin down behaviour the
// reference gets wrong.
type expectation struct {
	token  arch.Token
	nr     int32
	action uint32
}

// policy is a filter built by seccomp_init(def) followed by ops.
type policy struct {
	name   string
	def    uint32
	ops    []op
	expect []expectation
}

func (p *policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policy %s:\n  init %#x (%s)\n", p.name, p.def, actionName(p.def))
	for _, o := range p.ops {
		b.WriteString("  " + o.command() + "\n")
	}
	return b.String()
}

// tokens is every arch token the policy names, plus the native one.
func (p *policy) tokens() []arch.Token {
	seen := map[arch.Token]bool{arch.Host().Token: true}
	out := []arch.Token{arch.Host().Token}
	add := func(t arch.Token) {
		if a, ok := arch.ByToken(t); ok {
			t = a.KernelToken()
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, o := range p.ops {
		switch o := o.(type) {
		case archAdd:
			add(o.token)
		case archRemove:
			add(o.token)
		}
	}
	return out
}

// filters reports whether the filter the policy builds covers the kernel
// token t, assuming its arch calls succeed.
func (p *policy) filters(t arch.Token) bool {
	has := map[*arch.Arch]bool{arch.Host(): true}
	for _, o := range p.ops {
		switch o := o.(type) {
		case archAdd:
			if a, ok := arch.ByToken(o.token); ok {
				has[a] = true
			}
		case archRemove:
			if a, ok := arch.ByToken(o.token); ok {
				delete(has, a)
			}
		}
	}
	for a := range has {
		if a.KernelToken() == t {
			return true
		}
	}
	return false
}

// multiArch reports whether the policy adds an arch, after which rules
// given in native numbers are translated by name.
func (p *policy) multiArch() bool {
	for _, o := range p.ops {
		if _, ok := o.(archAdd); ok {
			return true
		}
	}
	return false
}

// calls records where a policy's calls sit in a script.
type calls struct {
	init, export int
	ops          []int
}

// appendTo writes the policy as driver commands.
func (p *policy) appendTo(s *script) calls {
	var c calls
	c.init = s.add("init %#x", p.def)
	for _, o := range p.ops {
		c.ops = append(c.ops, s.add("%s", o.command()))
	}
	c.export = s.add("export")
	s.add("release")
	return c
}

// generator draws random policies. The zero value of each knob leaves the
// corresponding feature out, so that new features (argument conditions,
// arches, priorities) can be switched on without disturbing the sequences
// existing seeds produce.
type generator struct {
	maxRules int
	maxNr    int32
	// condRate is the chance in [0,1] that a rule gets argument
	// conditions; 0 for now.
	condRate float64
}

func (g generator) action(r *rand.Rand) uint32 {
	switch r.IntN(8) {
	case 0:
		return actAllow
	case 1:
		return actKillThread
	case 2:
		return actKillProcess
	case 3:
		return actTrap
	case 4:
		return actLog
	case 5:
		return actTrace(g.data(r))
	}
	return actErrno(g.data(r))
}

// data favours small errno values but reaches the top of the field.
func (g generator) data(r *rand.Rand) uint16 {
	if r.IntN(8) == 0 {
		return uint16(r.Uint32())
	}
	return uint16(r.IntN(200))
}

func (g generator) defaultAction(r *rand.Rand) uint32 {
	switch r.IntN(6) {
	case 0:
		return actAllow
	case 1:
		return actKillThread
	case 2:
		return actKillProcess
	case 3:
		return actTrap
	case 4:
		return actLog
	}
	return actErrno(g.data(r))
}

func (g generator) cond(r *rand.Rand) cond {
	return cond{
		arg: uint(r.IntN(6)),
		op:  cmpOp(1 + r.IntN(7)),
		a:   r.Uint64() >> (r.IntN(2) * 32),
		b:   r.Uint64() >> (r.IntN(2) * 32),
	}
}

func (g generator) policy(r *rand.Rand, name string) *policy {
	p := &policy{name: name, def: g.defaultAction(r)}
	if r.IntN(4) == 0 {
		p.ops = append(p.ops, attrSet{attrCtlOptimize, 2})
	}
	if r.IntN(5) == 0 {
		p.ops = append(p.ops, attrSet{attrActBadArch, g.defaultAction(r)})
	}
	for range r.IntN(g.maxRules + 1) {
		ru := rule{action: g.action(r), nr: r.Int32N(g.maxNr + 1), exact: r.IntN(5) == 0}
		if g.condRate > 0 && r.Float64() < g.condRate {
			for range 1 + r.IntN(3) {
				ru.conds = append(ru.conds, g.cond(r))
			}
		}
		p.ops = append(p.ops, ru)
	}
	return p
}
