package tree

import (
	"cmp"
	_ "embed"
	"slices"
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

// heat lists known syscall numbers, ascending, with how much each weighs
// in the tree's shape: 1 for any syscall, plus its share of the profile,
// scaled so that the profile as a whole weighs profileShare of all
// syscalls together. Hot syscalls move up without pushing the rest down
// far.
type heat []heatEntry

type heatEntry struct {
	nr uint32
	w  float64
}

// abiHeat caches each ABI's heat; it depends on nothing but the ABI.
var abiHeat sync.Map // *arch.Arch → heat

func heatOf(a *arch.Arch) heat {
	if h, ok := abiHeat.Load(a); ok {
		return h.(heat)
	}
	prof := Profile()
	var total float64
	for _, v := range prof {
		total += v
	}
	nums := syscalls.Numbers(a)
	scale := float64(len(nums)) / total
	h := make(heat, 0, len(nums))
	for nr, name := range nums {
		h = append(h, heatEntry{uint32(nr), 1 + profileShare*prof[name]*scale})
	}
	slices.SortFunc(h, func(x, y heatEntry) int { return cmp.Compare(x.nr, y.nr) })
	abiHeat.Store(a, h)
	return h
}

// sectionHeat is the heat of every known syscall of a section's ABIs,
// with the caller's priority hints (see spansHinted) added.
func sectionHeat(s policy.Section, hints heat) heat {
	h := heatOf(s.Tables[0].Arch)
	if len(s.Tables) == 1 && len(hints) == 0 {
		return h
	}
	h = slices.Clone(h)
	for _, t := range s.Tables[1:] {
		h = append(h, heatOf(t.Arch)...)
	}
	h = append(h, hints...)
	slices.SortFunc(h, func(x, y heatEntry) int { return cmp.Compare(x.nr, y.nr) })
	return h
}

// weights sums the heat of the numbers in each range, with minWeight as a
// floor, in w's memory.
func weights(rs []span, h heat, w []float64) []float64 {
	w = grow(w, len(rs))
	k := 0
	for i, r := range rs {
		w[i] = minWeight
		for k < len(h) && h[k].nr < r.lo {
			k++
		}
		for ; k < len(h) && h[k].nr <= r.hi; k++ {
			w[i] += h[k].w
		}
	}
	return w
}
