// Command report reruns simrisk's benchmarks and prints ratios to the
// hand-written baseline:
//
//	go run ./bench/cmd/report            # 5 runs of each benchmark
//	go run ./bench/cmd/report -count 10 -bench 'DefaultPack|Compile1000'
//
// Absolute times on shared machines mean little; ratios from one run do. So
// the test binary is built once and run -count times, each run measuring
// every benchmark once, and a ratio is taken within each run (a benchmark
// over the baseline measured minutes apart in the same process) before the
// median over runs is taken. The table gives that median and the range
// over runs. The raw output goes to stderr, for benchstat.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	count := flag.Int("count", 5, "runs of each benchmark (the median is reported)")
	bench := flag.String("bench", ".", "benchmarks to run (a go test -bench pattern)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "simrisk-report")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, "./bench")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fail(err)
	}
	var runs [][]*result
	for i := 0; i < *count; i++ {
		fmt.Fprintf(os.Stderr, "run %d of %d\n", i+1, *count)
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", *bench, "-test.count", "1", "-test.benchmem")
		cmd.Dir = "bench" // the package directory, as go test runs it
		var out bytes.Buffer
		cmd.Stdout = io.MultiWriter(&out, os.Stderr)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fail(err)
		}
		res := parse(&out)
		if len(res) == 0 {
			fail(fmt.Errorf("no benchmark results"))
		}
		runs = append(runs, res)
	}
	print(os.Stdout, runs)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}

type result struct {
	name   string
	ns     []float64
	allocs []float64
	extra  map[string][]float64 // other metrics: MB/s, cards/s, ns/card
}

var lineRE = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

func parse(r io.Reader) []*result {
	byName := map[string]*result{}
	var order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		res := byName[m[1]]
		if res == nil {
			res = &result{name: m[1], extra: map[string][]float64{}}
			byName[m[1]] = res
			order = append(order, m[1])
		}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				res.ns = append(res.ns, v)
			case "allocs/op":
				res.allocs = append(res.allocs, v)
			case "B/op":
			default:
				res.extra[f[i+1]] = append(res.extra[f[i+1]], v)
			}
		}
	}
	out := make([]*result, 0, len(order))
	for _, n := range order {
		out = append(out, byName[n])
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratios is a/b within each run where both were measured.
func ratios(runs [][]*result, a, b string) []float64 {
	var out []float64
	for _, run := range runs {
		var x, y float64
		for _, r := range run {
			if r.name == a {
				x = median(r.ns)
			}
			if r.name == b {
				y = median(r.ns)
			}
		}
		if x > 0 && y > 0 {
			out = append(out, x/y)
		}
	}
	return out
}

// spread writes the median of v and its range.
func spread(v []float64, unit string) string {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return fmt.Sprintf("%.2f%s (%.2f–%.2f)", median(s), unit, s[0], s[len(s)-1])
}

func print(w io.Writer, runs [][]*result) {
	// every run's results, merged by name, in first-seen order
	var all []*result
	byName := map[string]*result{}
	for _, run := range runs {
		for _, r := range run {
			m := byName[r.name]
			if m == nil {
				m = &result{name: r.name, extra: map[string][]float64{}}
				byName[r.name] = m
				all = append(all, m)
			}
			m.ns = append(m.ns, r.ns...)
			m.allocs = append(m.allocs, r.allocs...)
			for k, v := range r.extra {
				m.extra[k] = append(m.extra[k], v...)
			}
		}
	}
	host, _ := os.Hostname()
	fmt.Fprintf(w, "\n%s, %s/%s, %d CPUs, %s, host %s; %d runs, ratios taken within each run: median (range)\n\n",
		time.Now().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), host, len(runs))
	fmt.Fprintln(w, "| benchmark | ratio to handwritten | allocs/op | other (medians) |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range all {
		ratio := "-"
		if strings.HasPrefix(r.name, "BenchmarkDefaultPack/") {
			if v := ratios(runs, r.name, "BenchmarkDefaultPack/handwritten"); len(v) > 0 {
				ratio = spread(v, "×")
			}
		}
		var other []string
		keys := make([]string, 0, len(r.extra))
		for k := range r.extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			other = append(other, fmt.Sprintf("%.4g %s", median(r.extra[k]), k))
		}
		fmt.Fprintf(w, "| `%s` | %s | %.0f | %s |\n", r.name, ratio, median(r.allocs), strings.Join(other, ", "))
	}
	// pairs the project's targets are stated as
	pair := func(a, b, what string) {
		if v := ratios(runs, a, b); len(v) > 0 {
			fmt.Fprintf(w, "\n%s: %s", what, spread(v, "×"))
		}
	}
	pair("BenchmarkBatch/workers-1", "BenchmarkBatch/workers-2", "throughput of 2 workers over 1 (ScoreBatchInto)")
	pair("BenchmarkBatch/fresh-workers-1", "BenchmarkBatch/fresh-workers-2", "throughput of 2 workers over 1 (ScoreBatch, new decisions)")
	pair("BenchmarkCompile1000/cel", "BenchmarkCompile1000/expr", "CEL compile time over expr")
	pair("BenchmarkPipelineJSONL/pipeline", "BenchmarkPipelineJSONL/decode-only", "JSON Lines pipeline time over decoding alone")
	fmt.Fprintln(w)
}
