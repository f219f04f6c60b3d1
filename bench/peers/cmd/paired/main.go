// Command paired times two commands against each other on one machine: N
// pairs, run one after the other, which goes first alternating, each
// command's wall time, CPU time (user + system, of it and its children)
// and peak resident memory taken from the operating system. It prints
// each run, then per command the medians (wall, CPU, cores used = CPU /
// wall, MB/s of the input, peak memory) and the pair's ratios (wall, CPU,
// memory: a / b), with the load average before each pair.
//
//	cd bench/peers && go build -o /tmp/paired ./cmd/paired
//	go build -tags duckdb -o /tmp/duckscore ./cmd/duckscore
//	(cd ../.. && go build -o /tmp/simrisk ./examples/simrisk)
//	/tmp/paired -n 7 -in cards.jsonl \
//	  -a 'simrisk=/tmp/simrisk score --as-of 2026-11-01 --in cards.jsonl --out /tmp/sim.jsonl' \
//	  -b 'duckdb=/tmp/duckscore --in cards.jsonl --out /tmp/duck.jsonl --as-of 2026-11-01 --threads 2'
//
// A command is split at spaces (no shell); a command that fails stops the
// run. Linux only (peak memory and the load average).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type run struct {
	wall, cpu float64 // seconds
	peakMB    float64
}

type command struct {
	name string
	args []string
	runs []run
}

func parse(spec string) (*command, error) {
	name, cmd, ok := strings.Cut(spec, "=")
	if !ok || name == "" || strings.TrimSpace(cmd) == "" {
		return nil, fmt.Errorf("want NAME=COMMAND, got %q", spec)
	}
	return &command{name: name, args: strings.Fields(cmd)}, nil
}

func (c *command) run() (run, error) {
	cmd := exec.Command(c.args[0], c.args[1:]...)
	cmd.Stdout, cmd.Stderr = nil, nil // discarded
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return run{}, fmt.Errorf("%s: %v", c.name, err)
	}
	wall := time.Since(start).Seconds()
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	return run{wall: wall, cpu: cpu, peakMB: float64(ru.Maxrss) / 1024}, nil // Maxrss is in KiB on Linux
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func field(rs []run, f func(run) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func main() {
	n := flag.Int("n", 7, "pairs to run")
	a := flag.String("a", "", "NAME=COMMAND: the first command (the ratios are a / b)")
	b := flag.String("b", "", "NAME=COMMAND: the second command")
	in := flag.String("in", "", "the input file, for MB/s (optional)")
	flag.Parse()
	ca, err := parse(*a)
	if err == nil {
		var cb *command
		if cb, err = parse(*b); err == nil {
			err = pairs(*n, *in, ca, cb)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "paired:", err)
		os.Exit(1)
	}
}

func pairs(n int, in string, a, b *command) error {
	var mb float64
	if in != "" {
		st, err := os.Stat(in)
		if err != nil {
			return err
		}
		mb = float64(st.Size()) / 1e6
	}
	var loads []string
	for i := 0; i < n; i++ {
		order := []*command{a, b}
		if i%2 == 1 {
			order = []*command{b, a}
		}
		loads = append(loads, load())
		for _, c := range order {
			r, err := c.run()
			if err != nil {
				return err
			}
			c.runs = append(c.runs, r)
			fmt.Printf("pair %d %-10s wall %6.3f s  cpu %6.3f s  cores %4.2f  peak %6.0f MB  (load %s)\n", i+1, c.name, r.wall, r.cpu, r.cpu/r.wall, r.peakMB, loads[i])
		}
	}
	fmt.Println()
	fmt.Printf("%-10s %8s %8s %8s %6s %8s %8s\n", "", "wall", "(min)", "(max)", "cores", "MB/s", "peak MB")
	for _, c := range []*command{a, b} {
		w := field(c.runs, func(r run) float64 { return r.wall })
		cores := field(c.runs, func(r run) float64 { return r.cpu / r.wall })
		rate := "-"
		if mb > 0 {
			rate = fmt.Sprintf("%.0f", mb/median(w))
		}
		fmt.Printf("%-10s %7.3fs %7.3fs %7.3fs %6.2f %8s %8.0f   cpu %.3f s\n", c.name, median(w), slices.Min(w), slices.Max(w),
			median(cores), rate, median(field(c.runs, func(r run) float64 { return r.peakMB })), median(field(c.runs, func(r run) float64 { return r.cpu })))
	}
	ratio := func(f func(run) float64) (float64, float64, float64) {
		rs := make([]float64, n)
		for i := range rs {
			rs[i] = f(a.runs[i]) / f(b.runs[i])
		}
		return median(rs), slices.Min(rs), slices.Max(rs)
	}
	wm, wlo, whi := ratio(func(r run) float64 { return r.wall })
	cm, _, _ := ratio(func(r run) float64 { return r.cpu })
	mm, _, _ := ratio(func(r run) float64 { return r.peakMB })
	fmt.Printf("\n%s / %s, paired, median of %d: wall %.3f (%.3f to %.3f), cpu %.3f, peak memory %.3f\n", a.name, b.name, n, wm, wlo, whi, cm, mm)
	fmt.Printf("load average (1 min) before each pair: %s\n", strings.Join(loads, " "))
	return nil
}
