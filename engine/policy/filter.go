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
	"iter"
	"math/bits"
	"slices"
	"sync"

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

	// added records the rules merged into the syscall's argument graph,
	// in order, so that the graph can be rebuilt exactly after a merge
	// that failed half way (see undo). Merging is deterministic, so
	// replaying the same rules gives the same graph, reference counts
	// included. Once the syscall is unconditional it stays so, whatever
	// is merged later, and its action alone is the state undo restores;
	// so from then on nothing is recorded.
	// The log sits behind a pointer to keep entries small: most never
	// have one.
	added *[]addedRule
}

// logged returns the rules recorded for s.
func (s *Syscall) logged() []addedRule {
	if s.added == nil {
		return nil
	}
	return *s.added
}

// record appends a to the log of s.
func (s *Syscall) record(a addedRule) {
	if s.added == nil {
		s.added = new([]addedRule)
	}
	*s.added = append(*s.added, a)
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
	Arch *arch.Arch
	// Syscalls is read-only outside this package, which keeps an index
	// of the numbers present beside it.
	Syscalls map[int32]*Syscall

	// Facts about Arch that every rule needs, derived once.
	host   bool // Arch is the host ABI: rule numbers need no translation
	wide   bool // 64-bit arguments
	direct bool // host and not multiplexed: a rule lands where it says

	// present has bit i set if lo+i may be in Syscalls, for the
	// numbers near the ABI's base; a clear bit saves a map lookup,
	// which for most rules misses. Only tables made here have it.
	indexed bool
	lo      int32
	present [presentBits / 64]uint64
	// slot[i] is the entry of number lo+i, the map's value, so that
	// an indexed lookup needs no map at all; nil until the first.
	slot []*Syscall

	// stage counts the jumps insert has made in the map's size (see
	// insert); free[used:] are entries not yet handed out (see
	// newSyscall). chunks holds every chunk of entries handed out, free
	// last, and spare zeroed ones still to use (see Release).
	stage  uint8
	used   int
	free   []Syscall
	chunks [][]Syscall
	spare  [][]Syscall
}

// tableMemory is what a table allocates as it grows, kept from a
// released filter for the tables made after it: a host that builds many
// filters then allocates, and collects, a fraction of what it would.
type tableMemory struct {
	syscalls map[int32]*Syscall // empty, its room kept
	stage    uint8              // how far that room grew
	slot     []*Syscall         // all nil
	chunks   [][]Syscall        // zeroed
}

// maxSpare bounds the memory kept: a few tables of a few hundred
// entries each, a fraction of what one collection interval allocates.
const maxSpare = 4

var spareMemory struct {
	sync.Mutex
	list []tableMemory
}

// Release gives f's memory to the filters made after it. f must not be
// used again, nor anything read from it (its entries are zeroed and
// handed out anew).
func (f *Filter) Release() {
	spareMemory.Lock()
	defer spareMemory.Unlock()
	for _, t := range f.Tables {
		if len(spareMemory.list) == maxSpare {
			break
		}
		clear(t.Syscalls)
		clear(t.slot)
		for _, c := range t.chunks {
			clear(c)
		}
		spareMemory.list = append(spareMemory.list,
			tableMemory{t.Syscalls, t.stage, t.slot, append(t.chunks, t.spare...)})
		*t = Table{}
	}
	f.Tables = nil
}

// takeSpare returns memory a released table left, if any.
func takeSpare() (tableMemory, bool) {
	spareMemory.Lock()
	defer spareMemory.Unlock()
	n := len(spareMemory.list)
	if n == 0 {
		return tableMemory{}, false
	}
	m := spareMemory.list[n-1]
	spareMemory.list[n-1] = tableMemory{}
	spareMemory.list = spareMemory.list[:n-1]
	return m, true
}

// hostArch is arch.Host(), which looks the ABI up by name on each call.
var hostArch = arch.Host()

func newTable(a *arch.Arch) *Table {
	t := new(Table)
	t.init(a)
	return t
}

// init makes t an empty table for a.
func (t *Table) init(a *arch.Arch) {
	host := a == hostArch
	*t = Table{Arch: a, host: host, wide: a != nil && a.Bits == 64,
		direct: host && !a.Multiplexed, indexed: true, lo: syscalls.Base(a)}
	if m, ok := takeSpare(); ok {
		t.Syscalls, t.stage, t.slot, t.spare = m.syscalls, m.stage, m.slot, m.chunks
	} else {
		t.Syscalls = map[int32]*Syscall{}
	}
}

// presentBits covers every ABI's syscall numbers from its base, with
// room for the kernel to grow.
const presentBits = 1024

// All yields every entry of t.Syscalls: in number order when the index
// covers them all (put and remove keep it exact for the numbers it
// spans), else in the map's order. Walking the index costs a fraction of
// ranging over the map.
func (t *Table) All() iter.Seq2[int32, *Syscall] {
	return func(yield func(int32, *Syscall) bool) {
		n := 0
		for _, w := range t.present {
			n += bits.OnesCount64(w)
		}
		if !t.indexed || n != len(t.Syscalls) {
			for nr, s := range t.Syscalls {
				if !yield(nr, s) {
					return
				}
			}
			return
		}
		for i, w := range t.present {
			for ; w != 0; w &= w - 1 {
				j := i*64 + bits.TrailingZeros64(w)
				if !yield(t.lo+int32(j), t.slot[j]) {
					return
				}
			}
		}
	}
}

// absent reports whether nr is certainly not in t.Syscalls.
func (t *Table) absent(nr int32) bool {
	i := uint32(nr) - uint32(t.lo)
	return t.indexed && i < presentBits && t.present[i/64]&(1<<(i%64)) == 0
}

// get is t.Syscalls[nr], without the map for the numbers the index
// covers.
func (t *Table) get(nr int32) *Syscall {
	if i := uint32(nr) - uint32(t.lo); t.indexed && i < presentBits {
		if t.slot == nil {
			return nil
		}
		return t.slot[i]
	}
	return t.Syscalls[nr]
}

// remove takes nr out of t.
func (t *Table) remove(nr int32) {
	if i := uint32(nr) - uint32(t.lo); i < presentBits {
		t.present[i/64] &^= 1 << (i % 64)
		if t.slot != nil {
			t.slot[i] = nil
		}
	}
	delete(t.Syscalls, nr)
}

// put files s under nr.
func (t *Table) put(nr int32, s *Syscall) {
	if i := uint32(nr) - uint32(t.lo); i < presentBits {
		t.present[i/64] |= 1 << (i % 64)
		if t.slot == nil {
			t.slot = make([]*Syscall, presentBits)
		}
		t.slot[i] = s
	}
	t.Syscalls[nr] = s
}

// newSyscall returns an empty Syscall for nr. Policies add hundreds of
// entries one rule at a time, so entries come from chunks that grow with
// the table rather than from one allocation each.
func (t *Table) newSyscall(nr int32) *Syscall {
	if t.used == len(t.free) {
		t.nextChunk(1, min(max(len(t.Syscalls), 8), 128))
	}
	s := &t.free[t.used]
	t.used++
	s.Nr = nr
	return s
}

// nextChunk makes free a chunk of at least least entries: a spare one if
// one is that large, else a new one of size entries.
func (t *Table) nextChunk(least, size int) {
	c := []Syscall(nil)
	for i := len(t.spare) - 1; i >= 0; i-- {
		if len(t.spare[i]) >= least {
			c = t.spare[i]
			t.spare = slices.Delete(t.spare, i, i+1)
			break
		}
	}
	if c == nil {
		c = make([]Syscall, size)
	}
	t.free, t.used = c, 0
	t.chunks = append(t.chunks, c)
}

// Map sizes insert jumps to. Growing one entry at a time, the map would
// rehash six times on the way to a few hundred entries; two jumps cost
// less, and waste little, since a table with more than a handful of
// syscalls usually ends up with dozens or hundreds.
const (
	mapSmall = 8   // what a map holds before its first growth
	mapMid   = 56  // fills 64 slots
	mapLarge = 448 // fills 512 slots; beyond, the map grows on its own
)

// insert adds a new, empty entry for nr, which must not be in the table.
func (t *Table) insert(nr int32) *Syscall {
	switch n := len(t.Syscalls); {
	case t.stage == 0 && n >= mapSmall:
		t.resize(mapMid)
	case t.stage == 1 && n >= mapMid:
		t.resize(mapLarge)
	}
	s := t.newSyscall(nr)
	t.put(nr, s)
	return s
}

// Reserve makes room in every table for n more entries, for a caller
// about to add that many rules: one map growth instead of several, and
// one chunk of entries instead of a chunk every few dozen.
func (f *Filter) Reserve(n int) {
	for _, t := range f.Tables {
		want := len(t.Syscalls) + n
		if want > mapSmall && sizeStage(want) > t.stage {
			t.resize(want)
		}
		if len(t.free)-t.used < n {
			t.nextChunk(n, n)
		}
	}
}

// resize moves the entries to a map with room for hint of them.
func (t *Table) resize(hint int) {
	m := make(map[int32]*Syscall, hint)
	for nr, s := range t.Syscalls {
		m[nr] = s
	}
	t.Syscalls = m
	t.stage = sizeStage(hint)
}

// sizeStage is the stage of a map made with room for hint entries.
func sizeStage(hint int) uint8 {
	switch {
	case hint > mapMid:
		return 2
	case hint > mapSmall:
		return 1
	}
	return 0
}

// Sorted returns the table's syscalls by number.
func (t *Table) Sorted() []*Syscall {
	out := make([]*Syscall, 0, len(t.Syscalls))
	for _, s := range t.Syscalls {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *Syscall) int {
		switch {
		case a.Nr < b.Nr:
			return -1
		case a.Nr > b.Nr:
			return 1
		}
		return 0
	})
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
	// The filter, its host table and the slice holding it in one
	// allocation: a filter usually keeps its host table for life.
	b := new(struct {
		f    Filter
		t    Table
		tabs [1]*Table
	})
	b.t.init(hostArch)
	b.tabs[0] = &b.t
	b.f = Filter{Attrs: defaultAttrs(def), Tables: b.tabs[:]}
	return &b.f, nil
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
	if nr == SyscallSkip || t.host {
		return nr, nil
	}
	n, ok := syscalls.Translate(hostArch, t.Arch, nr)
	if !ok {
		return 0, ErrFault
	}
	return n, nil
}

// touched is an entry a rule changed, with what undo needs to restore it.
type touched struct {
	t   *Table
	sc  *Syscall
	was uint8  // the entry's state before the rule: one of the below
	act Action // its action, for wasBare and wasUncond
	n   int    // how many rules its log had, for wasGraph
}

const (
	wasAbsent = iota // not in the table
	wasBare          // there only for a priority, no rule
	wasUncond        // an unconditional rule
	wasGraph         // an argument graph
)

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
	if len(conds) == 0 && len(f.Tables) == 1 {
		// Most rules of a policy are this: an unconditional rule on a
		// number with no entry yet, on the host table alone. What touch
		// and merge would do then is make the entry and set three
		// fields, and nothing can fail after the entry exists, so the
		// undo bookkeeping, most of their cost, is not needed.
		if t := f.Tables[0]; t.direct && (!exact || nr >= SyscallSkip) && t.absent(nr) {
			s := t.insert(nr)
			s.Action, s.HasRule = act, true
			if act == ActUserNotif {
				f.notify = true
			}
			return nil
		}
	}
	// Merge in place, table by table as libseccomp adds them, so that the
	// first failure is the one reported. A failure undoes what the rule
	// changed so far: a refused rule leaves every table as it was. Undo
	// replays, which is costlier than copying up front, but refusals are
	// rare and copying every graph on every rule is quadratic.
	var buf [4]touched
	done := buf[:0]
	for _, t := range f.Tables {
		if t.direct && (!exact || nr >= SyscallSkip) {
			// What placements would say, without its cost.
			d := t.touch(nr)
			done = append(done, d)
			if err := d.merge(conds, act, f.Legacy254); err != nil {
				f.undo(done)
				return err
			}
			continue
		}
		ps, np, err := placements(t, nr, conds, exact)
		if err != nil {
			f.undo(done)
			return err
		}
		for _, p := range ps[:np] {
			d := t.touch(p.nr)
			done = append(done, d)
			if err := d.merge(p.conds, act, f.Legacy254); err != nil {
				f.undo(done)
				return err
			}
		}
	}
	if act == ActUserNotif {
		f.notify = true
	}
	return nil
}

// touch returns t's entry for nr, made if needed, with the state undo
// would restore.
func (t *Table) touch(nr int32) touched {
	sc := t.get(nr)
	switch {
	case sc == nil:
		return touched{t: t, sc: t.insert(nr), was: wasAbsent}
	case !sc.HasRule:
		return touched{t: t, sc: sc, was: wasBare, act: sc.Action}
	case sc.Rules == nil:
		return touched{t: t, sc: sc, was: wasUncond, act: sc.Action}
	}
	return touched{t: t, sc: sc, was: wasGraph, n: len(sc.logged())}
}

// merge adds a rule to the touched entry, and records it if the entry
// has an argument graph afterwards.
func (d *touched) merge(conds []Cond, act Action, legacy bool) error {
	// chain gives nil for no comparisons; skipping it saves the call
	// on the commonest rule.
	var root *Node
	if len(conds) > 0 {
		root = chain(conds, d.t.wide, act)
	}
	sc := d.sc
	if err := sc.add(root, act, legacy); err != nil {
		return err
	}
	if sc.Rules != nil {
		sc.record(addedRule{conds, d.t.wide, act})
	}
	return nil
}

// undo restores the entries a refused rule changed, latest first. Only
// an argument graph needs rebuilding; what a rule does to an entry
// without one is undone by putting back the fields it set (see add).
func (f *Filter) undo(done []touched) {
	for i := len(done) - 1; i >= 0; i-- {
		d := done[i]
		switch d.was {
		case wasAbsent:
			d.t.remove(d.sc.Nr)
		case wasBare:
			d.sc.Rules, d.sc.Action, d.sc.HasRule = nil, d.act, false
			d.sc.added = nil
		case wasUncond:
			d.sc.Rules, d.sc.Action = nil, d.act
		case wasGraph:
			r, err := d.sc.replay(d.n, f.Legacy254)
			if err != nil && f.corrupt == nil {
				f.corrupt = err
			}
			d.t.put(d.sc.Nr, r)
		}
	}
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
		gone, flags := prune(s.Rules, root, pruneState{action: act, root: &s.Rules})
		if gone > 0 {
			cut = true
			if s.Rules == nil {
				continue
			}
		} else if flags&pRedundant == pRedundant {
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
		s := t.get(n)
		if s == nil {
			s = t.insert(n)
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
	for _, a := range s.logged()[:n] {
		if err := r.add(chain(a.conds, a.wide, a.act), a.act, legacy); err != nil {
			return r, fmt.Errorf("policy: replaying accepted rules failed: %w", err)
		}
		r.record(a)
	}
	return r, nil
}
