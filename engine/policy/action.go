package policy

import "fmt"

// Action is a seccomp return value (SECCOMP_RET_*): the action in the high
// 16 bits, its data (an errno, a tracer's message) in the low 16. The values
// are the kernel's, which are also libseccomp's SCMP_ACT_* values.
type Action uint32

// The actions a filter can return.
const (
	ActKillProcess Action = 0x80000000
	ActKillThread  Action = 0x00000000
	ActTrap        Action = 0x00030000
	ActErrno       Action = 0x00050000 // | errno
	ActUserNotif   Action = 0x7fc00000
	ActTrace       Action = 0x7ff00000 // | message
	ActLog         Action = 0x7ffc0000
	ActAllow       Action = 0x7fff0000
)

// maxErrno is the largest errno the kernel passes back; libseccomp refuses
// ERRNO actions at or above it, as larger values would read as pointers.
const maxErrno = 4095

// Available says whether the kernel, or the API level the caller forced,
// supports an action. The C API points it at package kernel; by default
// every action is available.
var Available = func(Action) bool { return true }

// usable is Valid and Available.
func (a Action) usable() bool { return a.Valid() && Available(a) }

// Errno returns the action that fails a syscall with errno e.
func Errno(e uint16) Action { return ActErrno | Action(e) }

// Trace returns the action that hands a syscall to a ptrace tracer with msg.
func Trace(msg uint16) Action { return ActTrace | Action(msg) }

// Data returns the action's 16-bit data.
func (a Action) Data() uint16 { return uint16(a) }

// Kind returns the action with its data cleared.
func (a Action) Kind() Action {
	if a == ActKillProcess {
		return a
	}
	return a & 0xffff0000
}

// Valid reports whether a is an action a filter may contain: one of the
// kernel's actions, with data only where the action carries data.
func (a Action) Valid() bool {
	switch a.Kind() {
	case ActErrno:
		return a.Data() < maxErrno
	case ActTrace:
		return true
	case ActKillProcess, ActKillThread, ActTrap, ActUserNotif, ActLog, ActAllow:
		return a == a.Kind()
	}
	return false
}

func (a Action) String() string {
	switch a.Kind() {
	case ActKillProcess:
		return "KILL_PROCESS"
	case ActKillThread:
		if a == ActKillThread {
			return "KILL"
		}
	case ActTrap:
		if a == ActTrap {
			return "TRAP"
		}
	case ActErrno:
		return fmt.Sprintf("ERRNO(%d)", a.Data())
	case ActUserNotif:
		if a == ActUserNotif {
			return "NOTIFY"
		}
	case ActTrace:
		return fmt.Sprintf("TRACE(%d)", a.Data())
	case ActLog:
		if a == ActLog {
			return "LOG"
		}
	case ActAllow:
		if a == ActAllow {
			return "ALLOW"
		}
	}
	return fmt.Sprintf("ACTION(%#x)", uint32(a))
}
