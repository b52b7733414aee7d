package main

// #include <stdint.h>
// #include <stdlib.h>
import "C"

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/seccomptree/seccomptree/engine/tree"
)

// rc converts an engine error to the value libseccomp returns. libseccomp
// promises callers a fixed set of errno values and reports anything else
// as -EFAULT, so we do the same.
func rc(err error) C.int {
	if err == nil {
		return 0
	}
	var e unix.Errno
	switch {
	case errors.Is(err, tree.ErrTooLarge):
		e = unix.E2BIG
	case !errors.As(err, &e):
		e = unix.EFAULT
	}
	switch e {
	case unix.EACCES, unix.ECANCELED, unix.EDOM, unix.EEXIST, unix.EINVAL,
		unix.ENOENT, unix.ENOMEM, unix.EOPNOTSUPP, unix.ERANGE, unix.ESRCH:
		return -C.int(e)
	}
	return -C.int(unix.EFAULT)
}

// rcSys is rc for failures of the system (write, prctl, seccomp): the raw
// errno when the filter asks for it with SYSRAWRC, else -ECANCELED.
func rcSys(raw bool, err error) C.int {
	var e unix.Errno
	if raw && errors.As(err, &e) {
		return -C.int(e)
	}
	return -C.int(unix.ECANCELED)
}
