// Command gen writes package syscalls' tables (zsyscalls.go) and the public
// header seccomp-syscalls.h from the plain-text facts in data/.
//
// It has two jobs, kept apart so that regenerating never needs anything
// outside the repository:
//
//	go generate ./engine/syscalls
//		data/*.txt -> engine/syscalls/zsyscalls.go, seccomp-syscalls.h
//
//	go run ./engine/syscalls/internal/gen -import \
//		-uapi DIR -uapi-label TEXT \
//		-s390-uapi DIR -s390-uapi-label TEXT \
//		-libseccomp DIR
//		kernel headers and libseccomp sources -> data/*.txt
//
// The import reads the uapi tree that Debian's linux-libc-dev (7.x,
// Architecture: all) installs under /usr/lib/linux/uapi, one directory per
// kernel architecture. Linux 6.19 dropped 31-bit s390, so s390 comes from
// an older tree. See the package documentation of syscalls for the versions
// the committed data was taken from.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	var (
		doImport   = flag.Bool("import", false, "refresh data/ from kernel headers and libseccomp instead of generating code")
		dataDir    = flag.String("data", "internal/gen/data", "directory holding the data files")
		goOut      = flag.String("go", "zsyscalls.go", "generated Go table")
		hdrOut     = flag.String("header", "../../seccomp-syscalls.h", "generated C header")
		uapi       = flag.String("uapi", "", "import: Linux uapi tree (e.g. /usr/lib/linux/uapi)")
		uapiLabel  = flag.String("uapi-label", "", "import: where -uapi came from, recorded in the data files")
		s390       = flag.String("s390-uapi", "", "import: uapi tree that still has 31-bit s390 (Linux < 6.19)")
		s390Label  = flag.String("s390-uapi-label", "", "import: where -s390-uapi came from")
		libseccomp = flag.String("libseccomp", "", "import: libseccomp source tree to take pseudo-syscall numbers and names from")
	)
	flag.Parse()

	if *doImport {
		if *uapi == "" || *s390 == "" || *libseccomp == "" || *uapiLabel == "" || *s390Label == "" {
			log.Fatal("-import needs -uapi, -uapi-label, -s390-uapi, -s390-uapi-label and -libseccomp")
		}
		if err := importAll(*dataDir, *uapi, *uapiLabel, *s390, *s390Label, *libseccomp); err != nil {
			log.Fatal(err)
		}
		return
	}

	db, err := load(*dataDir)
	if err != nil {
		log.Fatal(err)
	}
	src, err := genGo(db)
	if err != nil {
		log.Fatal(err)
	}
	if err := writeFile(*goOut, src); err != nil {
		log.Fatal(err)
	}
	if err := writeFile(*hdrOut, genHeader(db)); err != nil {
		log.Fatal(err)
	}
}

// writeFile replaces path only when the content changes, so regenerating
// an up-to-date tree leaves timestamps alone.
func writeFile(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(b) {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gen-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
