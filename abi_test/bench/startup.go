package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Startup is what one library costs a process that uses it once: the
// medians of wall and CPU time of a whole process that loads it, creates
// and releases a context and exits, and that process's threads, resident
// and virtual size just before exit.
type Startup struct {
	Wall, CPU        time.Duration
	Threads          int
	RSSKiB, VSizeKiB int
}

// startup runs `bench startup` n times against lib.
func (c *cprog) startup(lib Lib, n int) (*Startup, error) {
	var walls, cpus []time.Duration
	var last []byte
	for i := 0; i < n; i++ {
		cmd := exec.Command(c.bin, "startup")
		cmd.Env = append(os.Environ(), lib.Env...)
		if lib.Dir != "" {
			cmd.Env = append(cmd.Env, "LD_LIBRARY_PATH="+lib.Dir)
		}
		var out bytes.Buffer
		cmd.Stdout = &out
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("startup: %v", err)
		}
		walls = append(walls, time.Since(start))
		ps := cmd.ProcessState
		cpus = append(cpus, ps.UserTime()+ps.SystemTime())
		last = out.Bytes()
	}
	s := &Startup{Wall: median(walls), CPU: median(cpus)}
	sc := bufio.NewScanner(bytes.NewReader(last))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "Threads:":
			s.Threads = v
		case "VmRSS:":
			s.RSSKiB = v
		case "VmSize:":
			s.VSizeKiB = v
		}
	}
	if s.Threads == 0 {
		return nil, fmt.Errorf("startup: no /proc/self/status figures in %q", last)
	}
	return s, nil
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// reportStartup prints the process-cost table.
func reportStartup(w io.Writer, labels []string, st map[string]*Startup, runs int) {
	fmt.Fprintf(w, "\nprocess cost of the library (a C program that creates and releases one context; median of %d runs)\n\n", runs)
	rows := [][]string{{"library", "wall ms", "cpu ms", "threads", "RSS MiB", "virtual MiB"}}
	for _, l := range labels {
		s := st[l]
		if s == nil {
			continue
		}
		rows = append(rows, []string{l,
			fmt.Sprintf("%.2f", s.Wall.Seconds()*1e3), fmt.Sprintf("%.2f", s.CPU.Seconds()*1e3),
			strconv.Itoa(s.Threads), fmt.Sprintf("%.1f", float64(s.RSSKiB)/1024), fmt.Sprintf("%.0f", float64(s.VSizeKiB)/1024)})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			if i == 0 {
				fmt.Fprintf(w, "%-*s", widths[i], c)
			} else {
				fmt.Fprintf(w, "  %*s", widths[i], c)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "wall and cpu include exec and dynamic loading; threads, RSS and virtual size are read from /proc/self/status before exit")
}
