package policy

import "slices"

// Clone returns a deep copy of f, for transactions.
func (f *Filter) Clone() *Filter {
	c := &Filter{Attrs: f.Attrs, Tables: make([]*Table, len(f.Tables)), notify: f.notify, corrupt: f.corrupt, Legacy254: f.Legacy254}
	for i, t := range f.Tables {
		c.Tables[i] = t.clone()
	}
	return c
}

// clone copies t with its entries, all allocated at once.
func (t *Table) clone() *Table {
	// Size the map as insert would have for this many entries, so
	// that rules added to the copy grow it the same way.
	n := len(t.Syscalls)
	var hint int
	switch sizeStage(n) {
	case 1:
		hint = mapMid
	case 2:
		hint = max(n, mapLarge)
	}
	c := &Table{Arch: t.Arch, Syscalls: make(map[int32]*Syscall, hint), host: t.host, wide: t.wide, direct: t.direct,
		indexed: t.indexed, lo: t.lo, present: t.present, stage: sizeStage(hint), free: make([]Syscall, n), used: n}
	c.chunks = [][]Syscall{c.free}
	if t.slot != nil {
		c.slot = make([]*Syscall, presentBits)
	}
	i := 0
	for nr, s := range t.Syscalls {
		cs := s.cloneInto(&c.free[i])
		c.Syscalls[nr] = cs
		if j := uint32(nr) - uint32(t.lo); j < presentBits {
			c.slot[j] = cs
		}
		i++
	}
	return c
}

// cloneInto copies s and its argument graph into c, keeping the graph's
// sharing and reference counts, which later merges depend on.
func (s *Syscall) cloneInto(c *Syscall) *Syscall {
	*c = *s
	if s.Rules != nil {
		c.Rules = copyGraph(s.Rules, make(map[*Node]*Node, s.nodeBound()))
	}
	// Never share the log: both copies append to their own.
	if s.added != nil {
		log := slices.Clone(*s.added)
		c.added = &log
	}
	return c
}

// nodeBound is at most the number of nodes in the graph of s: every node
// came from the chain of a recorded rule, and merging only drops nodes.
// It sizes the map copyGraph fills, which then never grows.
func (s *Syscall) nodeBound() int {
	n := 0
	for _, a := range s.logged() {
		for i := range a.conds {
			if c := &a.conds[i]; !alwaysTrue(c, a.wide) {
				n += chainLen(c, a.wide)
			}
		}
	}
	return min(n, 4096)
}

func copyGraph(n *Node, seen map[*Node]*Node) *Node {
	if n == nil {
		return nil
	}
	if c, ok := seen[n]; ok {
		return c
	}
	c := new(Node)
	seen[n] = c
	*c = *n
	c.prev = copyGraph(n.prev, seen)
	c.next = copyGraph(n.next, seen)
	c.True.Next = copyGraph(n.True.Next, seen)
	c.False.Next = copyGraph(n.False.Next, seen)
	return c
}

// Merge moves src's tables into f. The filters must agree on the default
// action, NO_NEW_PRIVS and TSYNC, share a byte order and have no ABI in
// common; src must not be used afterwards.
func (f *Filter) Merge(src *Filter) error {
	a, b := f.Attrs, src.Attrs
	if a.Default != b.Default || a.NNP != b.NNP || a.TSync != b.TSync {
		return ErrInvalid
	}
	if f.Tables[0].Arch.BigEndian != src.Tables[0].Arch.BigEndian {
		return ErrDomain
	}
	for _, t := range src.Tables {
		if f.Table(t.Arch) != nil {
			return ErrExist
		}
	}
	f.Tables = append(f.Tables, src.Tables...)
	f.notify = f.notify || src.notify
	src.Tables = nil
	return nil
}
