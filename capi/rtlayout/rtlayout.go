// Package rtlayout records the few facts about the Go runtime's private
// data that capi/fork.c relies on to make fork() without exec safe (see
// "fork() without exec" in README.md), for the one runtime release they
// were read from. The test checks them against the runtime's own debug
// information, so a toolchain upgrade that moves them fails there first;
// with any other runtime the library leaves the runtime alone and the old
// gap comes back (host_fork then fails).
package rtlayout

const (
	// Runtime is the release (runtime.Version(), any patch level) the
	// offsets below were read from.
	Runtime = "go1.26"

	// SchedLock is the offset of runtime.sched.lock, a runtime.mutex:
	// a single word, key, whose bit 0 is set while it is held
	// (lock_spinbit.go).
	SchedLock = 32
	// SchedNpidle is the offset of runtime.sched.npidle, an int32:
	// how many Ps are on the idle list.
	SchedNpidle = 112
	// MutexSize is the size of runtime.mutex (key only, lock ranking
	// off).
	MutexSize = 8
)
