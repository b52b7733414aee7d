package policy

import "github.com/seccomptree/seccomptree/engine/arch"

// Section is what one arch check of a filter leads to: the tables that
// share a kernel token. It is one table, except that x86_64 and x32 share
// a token and, when both are in the filter, one section.
type Section struct {
	Token  arch.Token
	Tables []*Table // in the order they were added
}

// Sections groups f's tables by kernel token, in the order their first
// table was added.
func (f *Filter) Sections() []Section {
	var out []Section
	for _, t := range f.Tables {
		tok := t.Arch.KernelToken()
		found := false
		for i := range out {
			if out[i].Token == tok {
				out[i].Tables = append(out[i].Tables, t)
				found = true
			}
		}
		if !found {
			out = append(out, Section{Token: tok, Tables: []*Table{t}})
		}
	}
	return out
}

var archX8664, archX32 = arch.MustByName("x86_64"), arch.MustByName("x32")

// Foreign reports whether the kernel number nr belongs to an ABI that
// shares the section's token but is not in the filter: x32 calls in an
// x86_64-only filter and the reverse. Such calls get the bad-arch action.
// The skip number -1 (all ones) counts as native to x86_64.
func (s Section) Foreign(nr uint32) bool {
	if len(s.Tables) != 1 {
		return false
	}
	// The self-check asks once per span of numbers: compare pointers
	// before names, which cost a string comparison each.
	switch a := s.Tables[0].Arch; {
	case a == archX8664:
		return nr >= arch.X32SyscallBit && nr != ^uint32(0)
	case a == archX32:
		return nr < arch.X32SyscallBit
	}
	switch s.Tables[0].Arch.Name {
	case "x86_64":
		return nr >= arch.X32SyscallBit && nr != ^uint32(0)
	case "x32":
		return nr < arch.X32SyscallBit
	}
	return false
}

// Lookup returns the entry that decides kernel number nr in s, or nil when
// the default action applies. Pseudo-syscall entries never match, and -1
// matches only under TSKIP, as libseccomp emits neither otherwise.
func (f *Filter) Lookup(s Section, nr uint32) *Syscall {
	n := int32(nr)
	if n < SyscallSkip || (n == SyscallSkip && !f.Attrs.TSkip) {
		return nil
	}
	for _, t := range s.Tables {
		if sc := t.get(n); sc != nil && sc.HasRule {
			return sc
		}
	}
	return nil
}

// Evaluate is the reference meaning of f: the action for a call with
// kernel token tok, number nr and arguments args.
func (f *Filter) Evaluate(tok arch.Token, nr uint32, args [MaxArgs]uint64) Action {
	for _, s := range f.Sections() {
		if s.Token != tok {
			continue
		}
		if s.Foreign(nr) {
			return f.Attrs.BadArch
		}
		sc := f.Lookup(s, nr)
		if sc == nil {
			return f.Attrs.Default
		}
		return sc.Decide(args, f.Attrs.Default)
	}
	return f.Attrs.BadArch
}

// Decide returns the action s gives a call with arguments args, or def
// when no rule decides. It walks the argument graph as the generated
// program does; on 32-bit ABIs the graph only reads low words.
func (s *Syscall) Decide(args [MaxArgs]uint64, def Action) Action {
	if s.Rules == nil {
		if s.HasRule {
			return s.Action
		}
		return def
	}
	if act, ok := walk(s.Rules, &args); ok {
		return act
	}
	return def
}
