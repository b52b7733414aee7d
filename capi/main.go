// Command capi is libseccomp.so.2: the C API of libseccomp 2.6, exported
// from a Go c-shared library.
//
// The public symbols are defined in C (shim.c) with the exact prototypes of
// seccomp.h, so the compiler checks them against the header. Each calls one
// Go function here, named stgo_*, which converts C types, calls the engine
// and maps its error to libseccomp's negative errno. Nothing is decided in
// this package that the engine could decide.
//
// Filter contexts are opaque handles, never Go pointers: a handle is a
// number that is never reused, so a released or forged context is an
// error (-EINVAL), not a use after free.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/.. -O2 -Wall
#include <stdint.h>
#include <stdlib.h>
#include "shim.h"
*/
import "C"

func main() {}
