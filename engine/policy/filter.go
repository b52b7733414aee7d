// Package policy is the filter database: what a filter says, per ABI, and
// its reference meaning (Evaluate), independent of any BPF encoding.
//
// It follows libseccomp's model. A filter has a default action, a bad-arch
// action, attributes and one rule table per ABI it covers. The API names
// syscalls by their number on the host ABI; each table stores the rule
// under that ABI's own number for the same name. A table added later starts
// empty: rules are not replayed into it, as in libseccomp.
package policy

import (
	"sort"

	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// Errors, as the errno libseccomp returns for the same mistake.
var (
	ErrInvalid     error = unix.EINVAL     // bad argument
	ErrExist       error = unix.EEXIST     // ABI already present, or absent where needed
	ErrAccess      error = unix.EACCES     // forbidden by libseccomp's rules, e.g. rule action == default
	ErrDomain      error = unix.EDOM       // the ABI cannot express the rule
	ErrFault       error = unix.EFAULT     // syscall unknown on an ABI of the filter
	ErrUnsupported error = unix.EOPNOTSUPP // not supported (yet)
)

// SyscallSkip is the number a tracer writes to skip a syscall; rules on it
// are only accepted with the TSKIP attribute.
const SyscallSkip = -1

// Rule is one AND-chain of argument comparisons with its action. A rule
// without comparisons matches every call.
type Rule struct {
	Action Action
	Conds  []Cond
}

// Syscall holds everything a table says about one syscall number.
type Syscall struct {
	Nr int32
	// Rules are the syscall's rules in the order they were added. An
	// unconditional rule, if any, is the only one.
	Rules []Rule
	// Priority is the caller's hint of how hot the syscall is.
	Priority uint8
	// HasRule is false for entries that exist only to carry a priority.
	HasRule bool
}

// Unconditional returns the action of the syscall's unconditional rule.
func (s *Syscall) Unconditional() (Action, bool) {
	if s.HasRule && len(s.Rules) == 1 && len(s.Rules[0].Conds) == 0 {
		return s.Rules[0].Action, true
	}
	return 0, false
}

// Table is the rule set for one ABI.
type Table struct {
	Arch     *arch.Arch
	Syscalls map[int32]*Syscall
}

func newTable(a *arch.Arch) *Table {
	return &Table{Arch: a, Syscalls: map[int32]*Syscall{}}
}

// Sorted returns the table's syscalls by number.
func (t *Table) Sorted() []*Syscall {
	out := make([]*Syscall, 0, len(t.Syscalls))
	for _, s := range t.Syscalls {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Nr < out[j].Nr })
	return out
}

// Filter is one seccomp filter under construction.
type Filter struct {
	Attrs  Attrs
	Tables []*Table // in the order the ABIs were added
}

// New returns an empty filter for the host ABI with the given default
// action, or ErrInvalid for an action no filter can hold.
func New(def Action) (*Filter, error) {
	if !def.usable() {
		return nil, ErrInvalid
	}
	return &Filter{
		Attrs:  defaultAttrs(def),
		Tables: []*Table{newTable(arch.Host())},
	}, nil
}

// Reset empties f as New would: attributes back to their defaults, only
// the host ABI, no rules.
func (f *Filter) Reset(def Action) error {
	if !def.usable() {
		return ErrInvalid
	}
	*f = Filter{Attrs: defaultAttrs(def), Tables: []*Table{newTable(arch.Host())}}
	return nil
}

// Usable reports ErrInvalid for a filter without any ABI: libseccomp
// treats such a context as invalid for rules and export alike.
func (f *Filter) Usable() error {
	if len(f.Tables) == 0 {
		return ErrInvalid
	}
	return nil
}

// Table returns the table of ABI a, or nil.
func (f *Filter) Table(a *arch.Arch) *Table {
	for _, t := range f.Tables {
		if t.Arch == a {
			return t
		}
	}
	return nil
}

// AddArch adds an empty table for a. ABIs of one filter must share a byte
// order, as the kernel of one machine reports all of them the same way.
func (f *Filter) AddArch(a *arch.Arch) error {
	if f.Table(a) != nil {
		return ErrExist
	}
	if len(f.Tables) > 0 && f.Tables[0].Arch.BigEndian != a.BigEndian {
		return ErrDomain
	}
	f.Tables = append(f.Tables, newTable(a))
	return nil
}

// RemoveArch drops a's table and its rules.
func (f *Filter) RemoveArch(a *arch.Arch) error {
	for i, t := range f.Tables {
		if t.Arch == a {
			f.Tables = append(f.Tables[:i:i], f.Tables[i+1:]...)
			return nil
		}
	}
	return ErrExist
}

// checkSyscall rejects numbers no rule may name: libseccomp reserves -1..-99
// except -1 under TSKIP.
func (f *Filter) checkSyscall(nr int32) error {
	if nr == SyscallSkip && f.Attrs.TSkip {
		return nil
	}
	if nr <= -1 && nr >= -99 {
		return ErrInvalid
	}
	return nil
}

// translate maps a host-ABI syscall number to table t's number for the
// same name. Unknown names are an error on every ABI but the host's, which
// takes any number as given.
func translate(t *Table, nr int32) (int32, error) {
	host := arch.Host()
	if nr == SyscallSkip || t.Arch == host {
		return nr, nil
	}
	name, ok := syscalls.ResolveNum(host, nr)
	if !ok {
		return 0, ErrFault
	}
	n, ok := syscalls.Resolve(t.Arch, name)
	if !ok {
		return 0, ErrFault
	}
	return n, nil
}

// AddRule adds a rule on host syscall nr to every table. With exact set,
// a rule an ABI cannot express as asked is an error rather than adapted.
// On error no table changes.
func (f *Filter) AddRule(act Action, nr int32, conds []Cond, exact bool) error {
	if len(conds) > MaxArgs {
		return ErrInvalid
	}
	if err := f.checkSyscall(nr); err != nil {
		return err
	}
	if !act.usable() {
		return ErrInvalid
	}
	if act == f.Attrs.Default {
		return ErrAccess
	}
	if exact && len(f.Tables) > 1 {
		return ErrUnsupported
	}
	var seen [MaxArgs]bool
	for _, c := range conds {
		if c.Arg >= MaxArgs || seen[c.Arg] || c.Op < OpNE || c.Op > OpMaskedEQ {
			return ErrInvalid
		}
		seen[c.Arg] = true
	}
	if len(conds) > 0 {
		// Argument conditions need the rule-merging semantics of the
		// full engine; refuse rather than build a filter that differs.
		return ErrUnsupported
	}

	// Translate for every table first so that a failure changes nothing.
	nrs := make([]int32, len(f.Tables))
	for i, t := range f.Tables {
		n, err := translate(t, nr)
		if err != nil {
			return err
		}
		if _, mux := syscalls.Multiplexer(t.Arch, n); mux {
			// Such a call can also arrive through socketcall(2) or
			// ipc(2); a rule on the direct number alone would let the
			// multiplexed form bypass it.
			return ErrUnsupported
		}
		if n < SyscallSkip && exact {
			return ErrDomain
		}
		nrs[i] = n
	}
	for i, t := range f.Tables {
		t.add(nrs[i], Rule{Action: act, Conds: conds})
	}
	return nil
}

// add records r on nr. An unconditional rule on a syscall that already has
// one changes nothing: libseccomp keeps the first, so we do too.
func (t *Table) add(nr int32, r Rule) {
	s := t.Syscalls[nr]
	if s == nil {
		s = &Syscall{Nr: nr}
		t.Syscalls[nr] = s
	}
	if _, ok := s.Unconditional(); ok {
		return
	}
	s.HasRule = true
	if len(r.Conds) == 0 {
		s.Rules = []Rule{r}
		return
	}
	s.Rules = append(s.Rules, r)
}

// SetPriority records a hotness hint for host syscall nr on every table
// where the name exists.
func (f *Filter) SetPriority(nr int32, pri uint8) error {
	if err := f.checkSyscall(nr); err != nil {
		return err
	}
	nrs := make([]int32, len(f.Tables))
	for i, t := range f.Tables {
		n, err := translate(t, nr)
		if err != nil {
			return err
		}
		nrs[i] = n
	}
	for i, t := range f.Tables {
		if nrs[i] < SyscallSkip {
			continue // not a syscall on this ABI: nothing to make hot
		}
		s := t.Syscalls[nrs[i]]
		if s == nil {
			s = &Syscall{Nr: nrs[i]}
			t.Syscalls[nrs[i]] = s
		}
		s.Priority = pri
	}
	return nil
}

// UsesNotify reports whether the filter can return the user notification
// action, which needs a listener when it is loaded.
func (f *Filter) UsesNotify() bool {
	if f.Attrs.Default == ActUserNotif {
		return true
	}
	for _, t := range f.Tables {
		for _, s := range t.Syscalls {
			for _, r := range s.Rules {
				if r.Action == ActUserNotif {
					return true
				}
			}
		}
	}
	return false
}
