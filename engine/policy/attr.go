package policy

// Attr names a filter attribute, numbered as libseccomp's enum
// scmp_filter_attr.
type Attr int

// The attributes.
const (
	AttrActDefault Attr = 1  // default action (read-only after init)
	AttrActBadArch Attr = 2  // action for calls from ABIs not in the filter
	AttrNNP        Attr = 3  // set NO_NEW_PRIVS before loading
	AttrTSync      Attr = 4  // load on every thread of the process
	AttrTSkip      Attr = 5  // allow rules on syscall -1
	AttrLog        Attr = 6  // log every action but ALLOW
	AttrSSB        Attr = 7  // leave speculative store bypass mitigation off
	AttrOptimize   Attr = 8  // libseccomp's optimisation level, 1 or 2
	AttrSysRawRC   Attr = 9  // return the kernel's errno from system calls
	AttrWaitKill   Attr = 10 // notifier waits are killable
)

// Attrs holds every attribute of a filter.
type Attrs struct {
	Default  Action
	BadArch  Action
	NNP      bool
	TSync    bool
	TSkip    bool
	Log      bool
	SSB      bool
	Optimize uint32
	SysRawRC bool
	WaitKill bool
}

func defaultAttrs(def Action) Attrs {
	return Attrs{Default: def, BadArch: ActKillThread, NNP: true, Optimize: 1}
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// Get returns the value of attribute a as libseccomp reports it.
func (f *Filter) Get(a Attr) (uint32, error) {
	at := &f.Attrs
	switch a {
	case AttrActDefault:
		return uint32(at.Default), nil
	case AttrActBadArch:
		return uint32(at.BadArch), nil
	case AttrNNP:
		return b2u(at.NNP), nil
	case AttrTSync:
		return b2u(at.TSync), nil
	case AttrTSkip:
		return b2u(at.TSkip), nil
	case AttrLog:
		return b2u(at.Log), nil
	case AttrSSB:
		return b2u(at.SSB), nil
	case AttrOptimize:
		return at.Optimize, nil
	case AttrSysRawRC:
		return b2u(at.SysRawRC), nil
	case AttrWaitKill:
		return b2u(at.WaitKill), nil
	}
	return 0, ErrInvalid
}

// Set changes attribute a. Boolean attributes take any non-zero value as
// true. The optimisation level is accepted and stored, but every level
// builds the same search tree.
func (f *Filter) Set(a Attr, v uint32) error {
	at := &f.Attrs
	switch a {
	case AttrActDefault:
		return ErrAccess
	case AttrActBadArch:
		if !Action(v).usable() {
			return ErrInvalid
		}
		at.BadArch = Action(v)
	case AttrNNP:
		at.NNP = v != 0
	case AttrTSync:
		at.TSync = v != 0
	case AttrTSkip:
		at.TSkip = v != 0
	case AttrLog:
		at.Log = v != 0
	case AttrSSB:
		at.SSB = v != 0
	case AttrOptimize:
		if v != 1 && v != 2 {
			return ErrUnsupported
		}
		at.Optimize = v
	case AttrSysRawRC:
		at.SysRawRC = v != 0
	case AttrWaitKill:
		at.WaitKill = v != 0
	default:
		return ErrInvalid
	}
	return nil
}
