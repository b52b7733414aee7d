package tree

import (
	_ "embed"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
)

//go:embed profile.txt
var profileText string

// Profile returns the shipped syscall frequency profile: name → calls per
// 10,000. The benchmark weighs its "mean weighted by frequency" with the
// same numbers the tree is shaped by.
var Profile = sync.OnceValue(func() map[string]float64 {
	p := map[string]float64{}
	for _, line := range strings.Split(profileText, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			p[f[0]] = v
		}
	}
	return p
})

// profileShare is how much the profile weighs against a uniform spread
// over all syscalls. Measured on Docker's profile: at 1 the hot calls gain
// little and the rest lose more; at 0.25 the weighted mean drops by about
// one instruction while the plain mean stays within 0.02 of its optimum.
const profileShare = 0.25

// heat is how much a known syscall weighs in the tree's shape: 1 for any
// syscall, plus its share of the profile, scaled so that the profile as a
// whole weighs profileShare of all syscalls together. Hot syscalls move up
// without pushing the rest down far.
type heat map[uint32]float64

func newHeat(tables []*arch.Arch, prio map[uint32]uint8) heat {
	h := heat{}
	prof := Profile()
	var total float64
	for _, v := range prof {
		total += v
	}
	for _, a := range tables {
		nums := syscalls.Numbers(a)
		scale := float64(len(nums)) / total
		for nr, name := range nums {
			h[uint32(nr)] = 1 + profileShare*prof[name]*scale
		}
	}
	for nr, p := range prio {
		h[nr] += float64(p) / 16
	}
	return h
}

// sectionHeat is the heat of every known syscall of a section's ABIs,
// with the caller's priority hints added.
func sectionHeat(s policy.Section) heat {
	var abis []*arch.Arch
	prio := map[uint32]uint8{}
	for _, t := range s.Tables {
		abis = append(abis, t.Arch)
		for nr, sc := range t.Syscalls {
			if sc.Priority > 0 {
				prio[uint32(nr)] = sc.Priority
			}
		}
	}
	return newHeat(abis, prio)
}

// weights sums the heat of the numbers in each range, with minWeight as a
// floor.
func weights(rs []span, h heat) []float64 {
	nrs := make([]uint32, 0, len(h))
	for nr := range h {
		nrs = append(nrs, nr)
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	w := make([]float64, len(rs))
	k := 0
	for i, r := range rs {
		w[i] = minWeight
		for k < len(nrs) && nrs[k] < r.lo {
			k++
		}
		for ; k < len(nrs) && nrs[k] <= r.hi; k++ {
			w[i] += h[nrs[k]]
		}
	}
	return w
}
