package main

import (
	"fmt"
	"slices"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/sim"
	"golang.org/x/net/bpf"
)

// Stats is the static view of one exported filter. Every syscall is run
// with all arguments and the instruction pointer zero: the path an
// argument rule takes depends on its values, and zero is as good a
// representative as any.
type Stats struct {
	Len       int
	Mean      float64 // instructions executed, over the whole table
	NMean     float64 // the same over every number from 0 to the top one
	Max       int
	Weighted  float64 // instructions executed, weighted by the profile
	Cached    int     // syscalls the kernel's action cache allows outright
	Allowed   int     // syscalls whose zero-argument decision is ALLOW
	Decisions map[int32]uint32
}

func analyse(prog []bpf.RawInstruction, host *arch.Arch, table map[string]int32, top int32, prof map[string]float64) (*Stats, error) {
	p, err := sim.New(prog)
	if err != nil {
		return nil, fmt.Errorf("exported filter does not validate: %w", err)
	}
	nrs := tableNumbers(table)

	s := &Stats{Len: len(prog), Decisions: map[int32]uint32{}}
	token := uint32(host.Token)
	steps := map[int32]int{}
	total := 0
	for _, nr := range nrs {
		ret, n := p.Run(sim.Data{Nr: nr, Arch: token}, host.BigEndian)
		steps[nr] = n
		s.Decisions[nr] = ret
		total += n
		s.Max = max(s.Max, n)
		if ret == actAllow {
			s.Allowed++
		}
		if sim.Cacheable(prog, token, uint32(nr), host.BigEndian) {
			s.Cached++
		}
	}
	s.Mean = float64(total) / float64(len(nrs))
	total = 0
	for nr := range top + 1 {
		_, n := p.Run(sim.Data{Nr: nr, Arch: token}, host.BigEndian)
		total += n
	}
	s.NMean = float64(total) / float64(top+1)
	var wsum, wtot float64
	for name, w := range prof {
		wsum += w * float64(steps[table[name]])
		wtot += w
	}
	s.Weighted = wsum / wtot
	return s, nil
}

// upTo is every number from 0 to top.
func upTo(top int32) []int32 {
	nrs := make([]int32, top+1)
	for i := range nrs {
		nrs[i] = int32(i)
	}
	return nrs
}

// tableNumbers is the distinct numbers of a syscall table, ascending.
func tableNumbers(table map[string]int32) []int32 {
	nrs := make([]int32, 0, len(table))
	for _, nr := range table {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	return slices.Compact(nrs) // aliases share a number
}

// argNumbers maps the numbers of p's syscalls that have argument rules to
// values worth trying in their arguments: the rules' data, their
// neighbours, and a few that set high bits.
func argNumbers(p *Policy, table map[string]int32) map[int32][]uint64 {
	nrs := map[int32][]uint64{}
	for _, r := range p.Rules {
		nr, ok := table[r.Name]
		if !ok || len(r.Conds) == 0 {
			continue
		}
		if nrs[nr] == nil {
			nrs[nr] = []uint64{1, 1 << 31, 1 << 32, 1 << 63, ^uint64(0)}
		}
		for _, c := range r.Conds {
			nrs[nr] = append(nrs[nr], c.A, c.A-1, c.A+1, c.B, c.B-1, c.B+1)
		}
	}
	return nrs
}
