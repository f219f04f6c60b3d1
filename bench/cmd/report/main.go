// Command report reruns simrisk's benchmarks and prints their medians as
// ratios to the hand-written baseline measured in the same run:
//
//	go run ./bench/cmd/report            # 5 runs of each benchmark
//	go run ./bench/cmd/report -count 10 -bench 'DefaultPack|Compile1000'
//
// Absolute times on shared machines mean little; ratios from one run do.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
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
	args := []string{"test", "./bench", "-run", "^$", "-bench", *bench, "-count", strconv.Itoa(*count), "-benchmem"}
	fmt.Fprintf(os.Stderr, "go %s\n", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	results := parse(&out)
	if len(results) == 0 {
		fmt.Fprintln(os.Stderr, "report: no benchmark results")
		os.Exit(1)
	}
	print(os.Stdout, results, *count)
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

func print(w io.Writer, results []*result, count int) {
	var base float64
	for _, r := range results {
		if r.name == "BenchmarkDefaultPack/handwritten" {
			base = median(r.ns)
		}
	}
	host, _ := os.Hostname()
	fmt.Fprintf(w, "\n%s, %s/%s, %d CPUs, %s, host %s; medians of %d runs\n\n",
		time.Now().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), host, count)
	fmt.Fprintln(w, "| benchmark | ratio to handwritten | allocs/op | other |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range results {
		ratio := "-"
		if base > 0 && strings.HasPrefix(r.name, "BenchmarkDefaultPack/") {
			ratio = fmt.Sprintf("%.1f×", median(r.ns)/base)
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
		var x, y *result
		for _, r := range results {
			switch r.name {
			case a:
				x = r
			case b:
				y = r
			}
		}
		if x != nil && y != nil && median(x.ns) > 0 {
			fmt.Fprintf(w, "\n%s: %.2f×", what, median(y.ns)/median(x.ns))
		}
	}
	pair("BenchmarkBatch/workers-2", "BenchmarkBatch/workers-1", "throughput of 2 workers over 1")
	pair("BenchmarkCompile1000/expr", "BenchmarkCompile1000/cel", "CEL compile time over expr")
	pair("BenchmarkPipelineJSONL/decode-only", "BenchmarkPipelineJSONL/pipeline", "JSON Lines pipeline time over decoding alone")
	fmt.Fprintln(w)
}
