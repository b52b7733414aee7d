package policy

// Clone returns a deep copy of f, for transactions.
func (f *Filter) Clone() *Filter {
	c := &Filter{Attrs: f.Attrs, Tables: make([]*Table, len(f.Tables))}
	for i, t := range f.Tables {
		nt := newTable(t.Arch)
		for nr, s := range t.Syscalls {
			ns := *s
			ns.Rules = make([]Rule, len(s.Rules))
			for j, r := range s.Rules {
				ns.Rules[j] = Rule{Action: r.Action, Conds: append([]Cond(nil), r.Conds...)}
			}
			nt.Syscalls[nr] = &ns
		}
		c.Tables[i] = nt
	}
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
	src.Tables = nil
	return nil
}
