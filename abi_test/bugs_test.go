package abi_test

import (
	"github.com/seccomptree/seccomptree/engine/arch"
	"github.com/seccomptree/seccomptree/engine/sim"
)

// Reference bugs from /work/shared/LIBSECCOMP-BUGS.md that these tests
// can recognise. A difference is excused only when the reference's own
// output shows the bug; otherwise it is a failure like any other.
const (
	bugNrNeverLoaded = "LIBSECCOMP-BUGS #2 (syscall number never loaded)"
	bugRuleAddHang   = "LIBSECCOMP-BUGS #4 (rule add never returns)"
	bugUretprobe     = "LIBSECCOMP-BUGS #6 (uretprobe unknown to 2.5.4)"
)

// Return code libseccomp uses when it cannot map a syscall between arches.
const errFault = -14

// uretprobeNr is x86_64's uretprobe, which 2.5.4's tables lack.
const uretprobeNr = 335

// rcExcuse names the reference bug behind a differing return code, or
// returns "" when there is none. A rule the reference refused but we
// accepted leaves a syscall whose decisions must differ; it is returned in
// skip.
func rcExcuse(o op, refRC, oursRC int64) (bug string, skip *inputKey) {
	r, ok := o.(rule)
	host := arch.Host()
	// 2.5.4 only has to resolve the name, and fails, when the rule is
	// translated for a second arch; a lone x86_64 filter takes the number
	// as it is.
	if ok && host.Name == "x86_64" && r.nr == uretprobeNr && refRC == errFault && oursRC == 0 {
		return bugUretprobe, &inputKey{host.Token, uretprobeNr}
	}
	return "", nil
}

// decisionExcuse names the reference bug behind a differing decision for
// d, or returns "".
func decisionExcuse(p *policy, ref *sim.Program, d sim.Data, refDecision uint32, bigEndian bool) string {
	// Bug #2: the reference's path for this call returns the default
	// action without ever reading seccomp_data.nr, for an arch the
	// filter covers.
	if refDecision != p.def || !p.filters(arch.Token(d.Arch)) {
		return ""
	}
	_, path := ref.Trace(d, bigEndian)
	loadedArch, loadedNr := false, false
	for _, s := range path {
		in := ref.Instruction(s.PC)
		if in.Op == 0x20 && in.K == 4 {
			loadedArch = true
		}
		if in.Op == 0x20 && in.K == 0 {
			loadedNr = true
		}
	}
	if loadedArch && !loadedNr {
		return bugNrNeverLoaded
	}
	return ""
}
