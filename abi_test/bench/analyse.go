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
	Max       int
	Weighted  float64 // instructions executed, weighted by the profile
	Cached    int     // syscalls the kernel's action cache allows outright
	Allowed   int     // syscalls whose zero-argument decision is ALLOW
	Decisions map[int32]uint32
}

func analyse(prog []bpf.RawInstruction, host *arch.Arch, table map[string]int32, prof map[string]float64) (*Stats, error) {
	p, err := sim.New(prog)
	if err != nil {
		return nil, fmt.Errorf("exported filter does not validate: %w", err)
	}
	nrs := make([]int32, 0, len(table))
	for _, nr := range table {
		nrs = append(nrs, nr)
	}
	slices.Sort(nrs)
	nrs = slices.Compact(nrs) // aliases share a number

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
	var wsum, wtot float64
	for name, w := range prof {
		wsum += w * float64(steps[table[name]])
		wtot += w
	}
	s.Weighted = wsum / wtot
	return s, nil
}
