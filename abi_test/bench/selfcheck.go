package main

import (
	"slices"
	"time"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
	"github.com/seccomptree/seccomptree/engine/tree"
)

// build adds p's rules to a new engine filter, as the C API would.
func build(p *Policy) *policy.Filter {
	host := arch.Host()
	f, _ := policy.New(policy.Action(p.Default))
	for _, r := range p.Rules {
		nr, _ := syscalls.Resolve(host, r.Name)
		var cs []policy.Cond
		for _, c := range r.Conds {
			cc, _ := policy.NewCond(uint(c.Arg), policy.Op(c.Op), c.A, c.B)
			cs = append(cs, cc)
		}
		f.AddRule(policy.Action(r.Action), nr, cs, false)
	}
	return f
}

// selfCheckNs is what the self-check adds to generating p's program, in
// this process and the engine alone: the median of runs with it less the
// median of runs without, interleaved so that drift hits both alike. The
// library's own rows time the same difference from C, where one process
// per cell makes it noisier than the difference itself.
func selfCheckNs(p *Policy, runs int) (float64, error) {
	f := build(p)
	with, without := make([]time.Duration, runs), make([]time.Duration, runs)
	for i := range runs {
		t0 := time.Now()
		if _, err := tree.Generate(f); err != nil {
			return 0, err
		}
		t1 := time.Now()
		if _, err := tree.GenerateVerified(f); err != nil {
			return 0, err
		}
		without[i], with[i] = t1.Sub(t0), time.Since(t1)
	}
	slices.Sort(with)
	slices.Sort(without)
	return float64(with[runs/2] - without[runs/2]), nil
}
