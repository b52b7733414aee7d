// Command md2man turns the Markdown man page sources into roff.
//
//	md2man -o DIR PAGE.N.md...
//
// Each PAGE.N.md becomes DIR/manN/PAGE.N. Every other function a page's
// NAME section lists ("seccomp_init, seccomp_reset - ...") gets a one-line
// page DIR/manN/OTHER.N that sources the main one (".so manN/PAGE.N"), so
// that "man seccomp_reset" finds the page it is described on.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
)

func main() {
	out := flag.String("o", "", "output `DIR`, receiving manN/ subdirectories")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: md2man -o DIR PAGE.N.md...")
		os.Exit(2)
	}
	for _, src := range flag.Args() {
		if err := convert(*out, src); err != nil {
			fmt.Fprintf(os.Stderr, "md2man: %s: %v\n", src, err)
			os.Exit(1)
		}
	}
}

var sourceName = regexp.MustCompile(`^([A-Za-z0-9_.-]+)\.([1-8])\.md$`)

func convert(outDir, src string) error {
	m := sourceName.FindStringSubmatch(filepath.Base(src))
	if m == nil {
		return errors.New("want a file named PAGE.SECTION.md")
	}
	page, section := m[1], m[2]
	md, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	names, err := pageNames(md)
	if err != nil {
		return err
	}
	if !slices.Contains(names, page) {
		return fmt.Errorf("NAME section does not list %s", page)
	}
	dir := filepath.Join(outDir, "man"+section)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, page+"."+section), md2man.Render(md), 0o644); err != nil {
		return err
	}
	for _, name := range names {
		if name == page {
			continue
		}
		alias := fmt.Sprintf(".so man%s/%s.%s\n", section, page, section)
		if err := os.WriteFile(filepath.Join(dir, name+"."+section), []byte(alias), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// pageNames returns the names a page documents: the comma-separated list
// before " - " in the first line of its NAME section.
func pageNames(md []byte) ([]string, error) {
	sc := bufio.NewScanner(bytes.NewReader(md))
	inName := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "# NAME":
			inName = true
		case inName && line != "":
			list, _, ok := strings.Cut(line, ` \- `)
			if !ok {
				list, _, ok = strings.Cut(line, " - ")
			}
			if !ok {
				return nil, fmt.Errorf("NAME line %q lacks \" - \"", line)
			}
			var names []string
			for _, n := range strings.Split(list, ",") {
				n = strings.Trim(strings.TrimSpace(n), "*")
				if n != "" {
					names = append(names, n)
				}
			}
			return names, nil
		}
	}
	return nil, errors.New("no NAME section")
}
