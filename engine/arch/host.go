package arch

import "runtime"

// goArchNames maps Go's GOARCH to libseccomp's ABI name. Go has no x32 or
// MIPS N32 port, so a Go build is always one of these.
var goArchNames = map[string]string{
	"386":      "x86",
	"amd64":    "x86_64",
	"arm":      "arm",
	"arm64":    "aarch64",
	"loong64":  "loongarch64",
	"mips":     "mips",
	"mipsle":   "mipsel",
	"mips64":   "mips64",
	"mips64le": "mipsel64",
	"ppc64":    "ppc64",
	"ppc64le":  "ppc64le",
	"riscv64":  "riscv64",
	"s390x":    "s390x",
}

var hostName = goArchNames[runtime.GOARCH]
