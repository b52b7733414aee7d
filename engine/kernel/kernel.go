// Package kernel asks the running kernel which seccomp features it has and
// turns the answer into libseccomp's API level (1..7), which callers may
// also force with Set.
//
// Probes use seccomp(2) with arguments the kernel rejects before acting:
// SECCOMP_SET_MODE_FILTER with a NULL program fails with EFAULT when the
// flag is known and EINVAL when it is not, and SECCOMP_GET_ACTION_AVAIL
// answers for one action. Nothing is installed.
package kernel

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// seccomp(2) operations and filter flags.
const (
	opSetModeFilter   = 1
	opGetActionAvail  = 2
	opGetNotifSizes   = 3
	FlagTSync         = 1 << 0
	FlagLog           = 1 << 1
	FlagSpecAllow     = 1 << 2
	FlagNewListener   = 1 << 3
	FlagTSyncESRCH    = 1 << 4
	FlagWaitKillable  = 1 << 5
	actionKillProcess = 0x80000000
	actionLog         = 0x7ffc0000
	actionNotify      = 0x7fc00000
)

// MaxLevel is the highest API level libseccomp 2.6 defines.
const MaxLevel = 7

var (
	mu    sync.Mutex
	level uint // 0: not probed yet
)

func seccomp(op, flags uintptr, arg unsafe.Pointer) unix.Errno {
	_, _, e := unix.Syscall(unix.SYS_SECCOMP, op, flags, uintptr(arg))
	return e
}

func flagKnown(flag uintptr) bool {
	return seccomp(opSetModeFilter, flag, nil) == unix.EFAULT
}

func actionAvail(act uint32) bool {
	return seccomp(opGetActionAvail, 0, unsafe.Pointer(&act)) == 0
}

func notifySizes() bool {
	var sizes [3]uint16
	return seccomp(opGetNotifSizes, 0, unsafe.Pointer(&sizes)) == 0
}

// probe finds the highest level whose features, and all lower levels',
// the kernel has.
func probe() uint {
	steps := []func() bool{
		func() bool { return flagKnown(FlagTSync) },
		func() bool { return flagKnown(FlagLog) && actionAvail(actionLog) && actionAvail(actionKillProcess) },
		func() bool { return flagKnown(FlagSpecAllow) },
		func() bool { return flagKnown(FlagNewListener) && notifySizes() },
		func() bool { return flagKnown(FlagTSyncESRCH) },
		func() bool { return flagKnown(FlagWaitKillable) },
	}
	l := uint(1)
	for _, ok := range steps {
		if !ok() {
			break
		}
		l++
	}
	return l
}

// Level returns the API level, probing the kernel the first time.
func Level() uint {
	mu.Lock()
	defer mu.Unlock()
	if level == 0 {
		level = probe()
	}
	return level
}

// Set forces the API level, as seccomp_api_set does; it reports false for
// levels outside 1..MaxLevel.
func Set(l uint) bool {
	if l < 1 || l > MaxLevel {
		return false
	}
	mu.Lock()
	level = l
	mu.Unlock()
	return true
}

// Reprobe forgets a forced level and asks the kernel again.
func Reprobe() {
	mu.Lock()
	level = probe()
	mu.Unlock()
}

// ActionAvailable reports whether the API level allows action act: kill
// process and log need level 3, user notification level 5.
func ActionAvailable(act uint32) bool {
	switch act {
	case actionKillProcess, actionLog:
		return Level() >= 3
	case actionNotify:
		return Level() >= 5
	}
	return true
}
