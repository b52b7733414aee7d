package main

import (
	"testing"

	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/policy"
	"github.com/seccomptree/seccomptree/engine/syscalls"
	"github.com/seccomptree/seccomptree/engine/tree"
)

// BenchmarkGoSide builds each bench policy with the engine alone, without
// the C boundary, so that pprof can show where the Go side of generation
// spends its time (go test -bench GoSide -cpuprofile ...). The figures the
// README quotes come from make bench, not from here.
func BenchmarkGoSide(b *testing.B) {
	host := arch.Host()
	known := map[string]bool{}
	for n := range syscalls.Table(host) {
		known[n] = true
	}
	ps, err := policies(syscalls.Table(host), known)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range ps {
		for _, verify := range []bool{false, true} {
			name := p.Name
			if verify {
				name += "/verify"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
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
					if verify {
						_, err = tree.GenerateVerified(f)
					} else {
						_, err = tree.Generate(f)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
