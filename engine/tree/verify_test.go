package tree

import (
	"strings"
	"testing"

	"github.com/seccomptree/seccomptree/engine/policy"
)

// TestVerify checks that the self-check accepts generated programs and
// catches a program that decides one syscall differently.
func TestVerify(t *testing.T) {
	f, err := policy.New(policy.ActKillProcess)
	if err != nil {
		t.Fatal(err)
	}
	for _, nr := range []int32{0, 1, 2, 3, 60, 231, 500} {
		if err := f.AddRule(policy.ActAllow, nr, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	prog, err := Generate(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(f, prog); err != nil {
		t.Fatalf("generated program rejected: %v", err)
	}
	// Flip one return: some syscall now gets another action.
	bad := append(prog[:0:0], prog...)
	for i := range bad {
		if bad[i].Op == opRet && bad[i].K == uint32(policy.ActAllow) {
			bad[i].K = uint32(policy.Errno(1))
			break
		}
	}
	if err := Verify(f, bad); err == nil || !strings.Contains(err.Error(), "policy says ALLOW") {
		t.Errorf("tampered program accepted (err %v)", err)
	}
	// Widen one comparison by one: the neighbouring number changes side.
	bad = append(prog[:0:0], prog...)
	for i := range bad {
		if bad[i].Op == opJge && bad[i].K > 1 && bad[i].K < 1000 {
			bad[i].K++
			break
		}
	}
	if err := Verify(f, bad); err == nil {
		t.Errorf("off-by-one program accepted")
	}
}

// TestVerifyArgs checks that the self-check looks at argument tests: a
// program whose comparison constant is off by one is caught.
func TestVerifyArgs(t *testing.T) {
	f, err := policy.New(policy.Errno(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint64{0x5401, 0x5402, 1 << 40} {
		c, _ := policy.NewCond(1, policy.OpEQ, v, 0)
		if err := f.AddRule(policy.ActAllow, 16, []policy.Cond{c}, false); err != nil {
			t.Fatal(err)
		}
	}
	prog, err := GenerateVerified(f)
	if err != nil {
		t.Fatalf("generated program rejected: %v", err)
	}
	for i := range prog {
		if prog[i].Op != opJeq || prog[i].K != 0x5402 {
			continue
		}
		bad := append(prog[:0:0], prog...)
		bad[i].K++
		if err := Verify(f, bad); err == nil {
			t.Errorf("argument constant changed at %d, program accepted", i)
		}
		return
	}
	t.Fatal("no comparison with 0x5402 in the program")
}
