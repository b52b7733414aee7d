package policy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

// dump renders everything a filter holds that rule building can change,
// graphs node by node with their links and reference counts, so that two
// filters with equal dumps behave the same under any later merge.
func dump(f *Filter) string {
	var b strings.Builder
	fmt.Fprintf(&b, "notify %v corrupt %v\n", f.notify, f.corrupt)
	for _, t := range f.Tables {
		fmt.Fprintf(&b, "table %s\n", t.Arch.Name)
		nrs := make([]int32, 0, len(t.Syscalls))
		for nr, s := range t.Syscalls {
			if s.Nr != nr {
				fmt.Fprintf(&b, "  entry %d filed under %d\n", s.Nr, nr)
			}
			if t.absent(nr) || t.get(nr) != s {
				fmt.Fprintf(&b, "  entry %d missing from the index\n", nr)
			}
			nrs = append(nrs, nr)
		}
		slices.Sort(nrs)
		// All must yield the map, each entry once, in number order
		// when the index covers every entry.
		var yielded []int32
		for nr, s := range t.All() {
			if t.Syscalls[nr] != s {
				fmt.Fprintf(&b, "  All yields %d with another entry\n", nr)
			}
			yielded = append(yielded, nr)
		}
		if sorted := slices.Sorted(slices.Values(yielded)); !slices.Equal(sorted, nrs) {
			fmt.Fprintf(&b, "  All yields %v, not %v\n", yielded, nrs)
		} else if t.indexed && len(nrs) > 0 && nrs[0] >= t.lo && nrs[len(nrs)-1] < t.lo+presentBits && !slices.Equal(yielded, nrs) {
			fmt.Fprintf(&b, "  All yields %v out of order\n", yielded)
		}
		for _, nr := range nrs {
			s := t.Syscalls[nr]
			fmt.Fprintf(&b, "  %d rule %v act %v pri %d log %d\n", nr, s.HasRule, s.Action, s.Priority, len(s.logged()))
			for _, a := range s.logged() {
				fmt.Fprintf(&b, "    log %v %v %v\n", a.conds, a.wide, a.act)
			}
			dumpGraph(&b, s.Rules)
		}
	}
	return b.String()
}

func dumpGraph(b *strings.Builder, root *Node) {
	ids := map[*Node]int{}
	var order []*Node
	var visit func(n *Node)
	visit = func(n *Node) {
		if n == nil {
			return
		}
		if _, ok := ids[n]; ok {
			return
		}
		ids[n] = len(order)
		order = append(order, n)
		visit(n.prev)
		visit(n.next)
		visit(n.True.Next)
		visit(n.False.Next)
	}
	visit(root)
	id := func(n *Node) string {
		if n == nil {
			return "-"
		}
		return fmt.Sprint(ids[n])
	}
	br := func(x Branch) string { return fmt.Sprintf("%s/%v/%v", id(x.Next), x.Action, x.Final) }
	for _, n := range order {
		fmt.Fprintf(b, "    #%d a%d hi %v %v %#x %#x orig %v full %#x refs %d prev %s next %s T %s F %s\n",
			ids[n], n.Arg, n.High, n.Op, n.Mask, n.Datum, n.orig, n.full, n.refs, id(n.prev), id(n.next), br(n.True), br(n.False))
	}
}

// buildOp is one call on a filter under construction.
type buildOp struct {
	abi      *arch.Arch // add (or, with remove, drop) this ABI
	remove   bool
	priority bool
	nr       int32
	act      Action
	conds    []Cond
	exact    bool
	pri      uint8
}

func (o buildOp) apply(f *Filter) error {
	if o.abi != nil && o.remove {
		return f.RemoveArch(o.abi)
	}
	if o.abi != nil {
		return f.AddArch(o.abi)
	}
	if o.priority {
		return f.SetPriority(o.nr, o.pri)
	}
	return f.AddRule(o.act, o.nr, o.conds, o.exact)
}

// TestBuildMatchesRebuild adds random rules and priorities, many of them
// refused, to filters of random ABIs, through clones now and then, and
// checks after every call that the filter is exactly what building it
// afresh from the accepted calls gives, and that a refused call changed
// nothing. It pins the shortcuts rule building takes (entries that are
// not argument graphs are undone without replaying, entries come from
// chunks, maps grow by jumps) to the plain meaning of the calls.
func TestBuildMatchesRebuild(t *testing.T) {
	host := arch.Host()
	var others []*arch.Arch
	for _, a := range arch.All {
		if a != host && a.BigEndian == host.BigEndian {
			others = append(others, a)
		}
	}
	// Host numbers: common calls, socket and IPC calls (multiplexed on
	// some ABIs), calls other ABIs lack, pseudo numbers, skip, unknown.
	var nrs []int32
	for _, name := range []string{"read", "write", "ioctl", "socket", "accept", "recv", "shmget", "personality",
		"clone", "open", "arch_prctl", "socketcall", "ipc", "uselib", "_llseek", "mmap2"} {
		if nr, ok := syscalls.Number(host, name); ok {
			nrs = append(nrs, nr)
		}
	}
	for i := int32(0); i < 600; i += 7 {
		nrs = append(nrs, i) // enough distinct entries to grow the maps
	}
	nrs = append(nrs, -1, -101, -121, -10060, 3000)
	acts := []Action{ActAllow, ActLog, Errno(1), Errno(2), ActTrap, ActKillThread}
	datums := []uint64{0, 1, 7, 1 << 32, 1<<32 + 7, ^uint64(0)}
	errs := map[string]int{}
	defer func() { t.Log(errs) }()
	for seed := range uint64(24) {
		rng := rand.New(rand.NewPCG(seed, 1))
		f, err := New(acts[rng.IntN(len(acts))])
		if err != nil {
			t.Fatal(err)
		}
		f.Attrs.TSkip = rng.IntN(2) == 0
		switch rng.IntN(3) {
		case 1:
			if err := f.AddArch(others[rng.IntN(len(others))]); err != nil {
				t.Fatal(err)
			}
		case 2:
			for range 3 {
				f.AddArch(others[rng.IntN(len(others))]) // duplicates refused
			}
			if rng.IntN(2) == 0 {
				f.RemoveArch(host)
			}
		}
		// The filter as first set up, to rebuild from.
		fresh := func() *Filter {
			g := &Filter{Attrs: f.Attrs}
			for _, t := range f.Tables {
				g.Tables = append(g.Tables, newTable(t.Arch))
			}
			return g
		}
		base := fresh()
		var accepted []buildOp
		for step := range 300 {
			var o buildOp
			o.nr = nrs[rng.IntN(len(nrs))]
			if rng.IntN(4) == 0 {
				// Dense runs of unconditional rules, as real
				// allowlists have.
				o.nr = int32(rng.IntN(450))
			}
			switch r := rng.IntN(100); {
			case step == 100 || r < 2:
				// Tables added later start empty: rules that
				// had no trouble with the others can fail there.
				o.abi, o.remove = others[rng.IntN(len(others))], r == 0 && step != 100
			case r < 10:
				o.priority, o.pri = true, uint8(rng.IntN(256))
			default:
				o.act = acts[rng.IntN(len(acts))]
				o.exact = rng.IntN(10) == 0
				switch rng.IntN(4) {
				case 0:
					// Few distinct tests: rules that meet
					// and conflict.
					o.conds = []Cond{{Arg: 0, Op: OpEQ, Mask: ^uint64(0), Datum: uint64(rng.IntN(2)) * 7}}
					if rng.IntN(2) == 0 {
						o.conds = append(o.conds, Cond{Arg: 1, Op: OpGT, Mask: ^uint64(0), Datum: 1 << 32})
					}
				case 1:
					for range 1 + rng.IntN(2) {
						op := Op(1 + rng.IntN(7))
						c, err := NewCond(uint(rng.IntN(3)), op, datums[rng.IntN(len(datums))], datums[rng.IntN(len(datums))])
						if err != nil {
							t.Fatal(err)
						}
						o.conds = append(o.conds, c)
					}
				}
			}
			snap := f.Clone()
			err := o.apply(f)
			errs[fmt.Sprint(o.priority, err)]++
			if err == nil || o.priority || o.abi != nil {
				accepted = append(accepted, o)
			} else if before, after := dump(snap), dump(f); after != before {
				t.Fatalf("seed %d step %d: refused %+v (%v) changed the filter:\nbefore:\n%s\nafter:\n%s", seed, step, o, err, before, after)
			}
			if rng.IntN(40) == 0 {
				// A transaction: carry on with the snapshot or
				// the original, and check the other still
				// matches too.
				c := f.Clone()
				if d, e := dump(c), dump(f); d != e {
					t.Fatalf("seed %d step %d: clone differs:\n%s\nwant:\n%s", seed, step, d, e)
				}
				if rng.IntN(2) == 0 {
					f = c
				}
			}
			if step%20 != 19 {
				continue
			}
			g := base.Clone()
			for _, a := range accepted {
				a.apply(g)
			}
			d, e := dump(f), dump(g)
			for _, bad := range []string{"missing from the index", "filed under", "All yields"} {
				if strings.Contains(d, bad) || strings.Contains(e, bad) {
					t.Fatalf("seed %d step %d: an entry %s:\n%s\nrebuilt:\n%s", seed, step, bad, d, e)
				}
			}
			if d != e {
				t.Fatalf("seed %d step %d: built filter differs from rebuilt:\n%s\nwant:\n%s", seed, step, d, e)
			}
		}
	}
}
