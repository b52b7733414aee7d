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
	"fmt"
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

// Syscall holds everything a table says about one syscall number.
type Syscall struct {
	Nr int32
	// Rules is the first level of the syscall's argument graph (see
	// Node), or nil when Action decides every call.
	Rules *Node
	// Action is the action of the unconditional rule when Rules is nil.
	Action Action
	// Priority is the caller's hint of how hot the syscall is.
	Priority uint8
	// HasRule is false for entries that exist only to carry a priority.
	HasRule bool

	// added records every rule merged into the syscall, in order, so that
	// the graph can be rebuilt exactly after a merge that failed half way
	// (see undo). Merging is deterministic, so replaying the same rules
	// gives the same graph, reference counts included.
	added []addedRule
}

// addedRule is one successful merge, as its inputs.
type addedRule struct {
	conds []Cond
	wide  bool
	act   Action
}

// Unconditional returns the action of the syscall's unconditional rule.
func (s *Syscall) Unconditional() (Action, bool) {
	if s.HasRule && s.Rules == nil {
		return s.Action, true
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
	notify bool     // a NOTIFY rule was accepted
	// corrupt is set if undoing a refused rule failed; see Usable.
	corrupt error

	// Legacy254 makes argument rules merge as libseccomp 2.5.4 merges
	// them, with the bug behind advisory GHSA-4q85-33p6-j5g6
	// (LIBSECCOMP-BUGS.md #1). Only differential tests set it, to tell
	// that bug's effect in a 2.5.4 reference from real differences.
	Legacy254 bool
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
	if f.corrupt != nil {
		// Fail closed: a filter whose undo went wrong builds nothing.
		return ErrFault
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
	// Merge in place, table by table as libseccomp adds them, so that the
	// first failure is the one reported. A failure undoes what the rule
	// changed so far: a refused rule leaves every table as it was. Undo
	// replays, which is costlier than copying up front, but refusals are
	// rare and copying every graph on every rule is quadratic.
	type touched struct {
		t    *Table
		nr   int32
		prev *Syscall // nil if the entry did not exist
		n    int      // len(added) before this rule
	}
	var done []touched
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			d := done[i]
			if d.prev == nil {
				delete(d.t.Syscalls, d.nr)
				continue
			}
			r, err := d.prev.replay(d.n, f.Legacy254)
			if err != nil && f.corrupt == nil {
				f.corrupt = err
			}
			d.t.Syscalls[d.nr] = r
		}
	}
	for _, t := range f.Tables {
		ps, err := placements(t, nr, conds, exact)
		if err != nil {
			undo()
			return err
		}
		wide := t.Arch.Bits == 64
		for _, p := range ps {
			sc := t.Syscalls[p.nr]
			if sc == nil {
				sc = &Syscall{Nr: p.nr}
				t.Syscalls[p.nr] = sc
				done = append(done, touched{t, p.nr, nil, 0})
			} else {
				done = append(done, touched{t, p.nr, sc, len(sc.added)})
			}
			if err := sc.add(chain(p.conds, wide, act), act, f.Legacy254); err != nil {
				undo()
				return err
			}
			sc.added = append(sc.added, addedRule{p.conds, wide, act})
		}
	}
	if act == ActUserNotif {
		f.notify = true
	}
	return nil
}

// add merges a rule, given as its chain (nil for no comparisons), into s
// the way libseccomp does. An unconditional rule replaces argument rules,
// and once there is one, later rules change nothing. Argument rules are
// pruned and grafted into the graph (see argmerge.go).
func (s *Syscall) add(root *Node, act Action, legacy bool) error {
	if !s.HasRule {
		s.Rules, s.Action, s.HasRule = root, act, true
		return nil
	}
	cut := false
	for {
		if s.Rules == nil {
			if cut {
				// Pruning removed the whole graph: the new
				// rule covers all of it.
				s.Rules, s.Action = root, act
			} else {
				releaseTree(&root)
			}
			return nil
		}
		if root == nil {
			releaseTree(&s.Rules)
			s.Rules, s.Action = nil, act
			return nil
		}
		st := pruneState{action: act, root: &s.Rules}
		if prune(s.Rules, root, &st) > 0 {
			cut = true
			if s.Rules == nil {
				continue
			}
		} else if st.flags&pRedundant == pRedundant {
			releaseTree(&root)
			return nil
		}
		break
	}
	if err := graft(&s.Rules, root, legacy); err != nil {
		return err
	}
	releaseTree(&root)
	return nil
}

// SetPriority records a hotness hint for host syscall nr on every table
// where the name exists. As in libseccomp, a hint only ever raises an
// entry's priority, and it is not transactional: a table that cannot
// take it does not keep the others from doing so, and the first failure
// is reported.
func (f *Filter) SetPriority(nr int32, pri uint8) error {
	if err := f.checkSyscall(nr); err != nil {
		return err
	}
	var first error
	for _, t := range f.Tables {
		n, ok, err := priorityTarget(t, nr)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		if !ok {
			continue // not a syscall on this ABI: nothing to make hot
		}
		s := t.Syscalls[n]
		if s == nil {
			s = &Syscall{Nr: n}
			t.Syscalls[n] = s
		}
		s.Priority = max(s.Priority, pri)
	}
	return first
}

// UsesNotify reports whether the filter needs a notification listener
// when loaded: its default action notifies, or a NOTIFY rule was accepted
// (even one that merging then dropped, as libseccomp counts it).
func (f *Filter) UsesNotify() bool {
	return f.Attrs.Default == ActUserNotif || f.notify
}

// replay rebuilds s from its first n recorded rules, keeping its
// priority. It returns a new Syscall; s itself may be half merged.
// These rules were all accepted once, in this order, so replaying cannot
// fail unless merging stopped being deterministic; if it does, the error
// is returned rather than a graph that differs from the one approved.
func (s *Syscall) replay(n int, legacy bool) (*Syscall, error) {
	r := &Syscall{Nr: s.Nr, Priority: s.Priority}
	for _, a := range s.added[:n] {
		if err := r.add(chain(a.conds, a.wide, a.act), a.act, legacy); err != nil {
			return r, fmt.Errorf("policy: replaying accepted rules failed: %w", err)
		}
		r.added = append(r.added, a)
	}
	return r, nil
}
