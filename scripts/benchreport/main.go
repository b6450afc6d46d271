// Command benchreport runs the paging benchmarks and an end-to-end
// `terraform plan` over the fake SAS API, and writes BENCHMARKS.md with a
// table and an SVG plot of wall time against the number of images.
//
// Run it from the repository root: `make bench` (or `go run ./scripts/benchreport`).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

const latency = 20 * time.Millisecond

type options struct {
	count     int
	large     bool
	out       string
	svg       string
	skipE2E   bool
	e2eImages int
}

func main() {
	var o options
	flag.IntVar(&o.count, "count", 3, "runs of each benchmark; the report uses medians")
	flag.BoolVar(&o.large, "large", true, "include N=100000")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	flag.StringVar(&o.svg, "svg", "bench/wall-time.svg", "plot to write")
	flag.BoolVar(&o.skipE2E, "skip-e2e", false, "skip the end-to-end terraform plan")
	flag.IntVar(&o.e2eImages, "e2e-images", 10000, "images in the end-to-end plan")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	list, err := goBench(ctx, o, "./internal/sasapi", "^BenchmarkListImageInstances$")
	if err != nil {
		return err
	}
	decode, err := goBench(ctx, o, "./internal/provider", "^BenchmarkDecodeAndConvertPage$")
	if err != nil {
		return err
	}
	vulnerabilities, err := vulnerabilityBench(ctx, o)
	if err != nil {
		return err
	}
	var e2e []e2eResult
	if !o.skipE2E {
		if e2e, err = endToEnd(ctx, o.e2eImages); err != nil {
			return err
		}
	}
	rows := listRows(list)
	if err := os.MkdirAll(filepath.Dir(o.svg), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(o.svg, []byte(plot(rows)), 0o644); err != nil {
		return err
	}
	report := markdown(o, rows, decode, e2e, vulnerabilityMarkdown(vulnerabilities))
	fmt.Print(report)
	return os.WriteFile(o.out, []byte(report), 0o644)
}

// benchResult holds the metrics of one benchmark line.
type benchResult struct {
	name    string
	metrics map[string]float64
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// goBench runs one benchmark and returns the median of each metric per name.
func goBench(ctx context.Context, o options, pkg, pattern string) (map[string]map[string]float64, error) {
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchmem", "-benchtime", "1x", "-count", strconv.Itoa(o.count), pkg}
	if strings.Contains(pattern, "Decode") {
		args[7] = "2s"
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = os.Environ()
	if o.large {
		cmd.Env = append(cmd.Env, "SAS_BENCH_LARGE=1")
	}
	fmt.Fprintln(os.Stderr, "==> go", strings.Join(args, " "))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test -bench %s: %w\n%s", pattern, err, out.String())
	}
	return medians(parseBench(out.String())), nil
}

func parseBench(out string) []benchResult {
	var results []benchResult
	for _, line := range strings.Split(out, "\n") {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		fields := strings.Fields(m[3])
		r := benchResult{name: m[1], metrics: map[string]float64{}}
		for i := 0; i+1 < len(fields); i += 2 {
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil {
				r.metrics[fields[i+1]] = v
			}
		}
		results = append(results, r)
	}
	return results
}

func medians(results []benchResult) map[string]map[string]float64 {
	samples := map[string]map[string][]float64{}
	for _, r := range results {
		if samples[r.name] == nil {
			samples[r.name] = map[string][]float64{}
		}
		for k, v := range r.metrics {
			samples[r.name][k] = append(samples[r.name][k], v)
		}
	}
	out := map[string]map[string]float64{}
	for name, metrics := range samples {
		out[name] = map[string]float64{}
		for k, vs := range metrics {
			sort.Float64s(vs)
			out[name][k] = vs[len(vs)/2]
		}
	}
	return out
}

// listRow is one (N, mode) of the listing benchmark.
type listRow struct {
	n            int
	mode         string
	concurrency  int
	pageSize     int
	wallMS       float64
	calls        float64
	bytesPerImg  float64
	allocsPerImg float64
}

var listName = regexp.MustCompile(`N=(\d+)/(.*?)(?:/)?concurrency=(\d+)/pagesize=(\d+)$`)

func listRows(results map[string]map[string]float64) []listRow {
	var rows []listRow
	for name, m := range results {
		g := listName.FindStringSubmatch(name)
		if g == nil {
			continue
		}
		n, _ := strconv.Atoi(g[1])
		c, _ := strconv.Atoi(g[3])
		p, _ := strconv.Atoi(g[4])
		mode := fmt.Sprintf("concurrency %d, page size %d", c, p)
		if strings.HasPrefix(g[2], "naive") {
			mode = "naive baseline: sequential, page size 20"
		}
		rows = append(rows, listRow{n: n, mode: mode, concurrency: c, pageSize: p, wallMS: m["ns/op"] / 1e6, calls: m["calls/op"],
			bytesPerImg: m["B/op"] / float64(n), allocsPerImg: m["allocs/op"] / float64(n)})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].n != rows[j].n {
			return rows[i].n < rows[j].n
		}
		if rows[i].pageSize != rows[j].pageSize {
			return rows[i].pageSize < rows[j].pageSize
		}
		return rows[i].concurrency < rows[j].concurrency
	})
	return rows
}

// latencyBound is L × (1 + ceil((pages − 1) / concurrency)), pages = ceil(N / 100).
func latencyBound(n, concurrency int) float64 {
	pages := (n + 99) / 100
	return float64(latency.Milliseconds()) * (1 + math.Ceil(float64(pages-1)/float64(concurrency)))
}

func find(rows []listRow, n, concurrency, pageSize int) (listRow, bool) {
	for _, r := range rows {
		if r.n == n && r.concurrency == concurrency && r.pageSize == pageSize {
			return r, true
		}
	}
	return listRow{}, false
}

func markdown(o options, rows []listRow, decode map[string]map[string]float64, e2e []e2eResult, sections ...string) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&b, "Generated by `make bench` (`go run ./scripts/benchreport`) on %s, %s. ", time.Now().UTC().Format("2006-01-02"), machine())
	fmt.Fprintf(&b, "Medians of %d runs. The fake SAS API adds %s of latency to every request, as a network would.\n\n", o.count, latency)
	b.WriteString("## Reading every page\n\n")
	b.WriteString("| images | mode | wall time | API calls | latency bound | × bound | B/image | allocs/image |\n|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		bound, ratio := "", ""
		if r.pageSize == 100 {
			lb := latencyBound(r.n, r.concurrency)
			bound, ratio = fmt.Sprintf("%.0f ms", lb), fmt.Sprintf("%.2f", r.wallMS/lb)
		}
		fmt.Fprintf(&b, "| %d | %s | %.0f ms | %.0f | %s | %s | %.0f | %.1f |\n", r.n, r.mode, r.wallMS, r.calls, bound, ratio, r.bytesPerImg, r.allocsPerImg)
	}
	b.WriteString("\nThe latency bound is L × (1 + ⌈(pages − 1) / concurrency⌉) with pages = ⌈N / 100⌉ and L = 20 ms: the first page, then the rest in waves.\n\n")
	for _, n := range []int{1000, 10000, 100000} {
		naive, ok1 := find(rows, n, 1, 20)
		ours, ok2 := find(rows, n, 4, 100)
		ours8, ok3 := find(rows, n, 8, 100)
		if ok1 && ok2 && ok3 {
			fmt.Fprintf(&b, "- N = %d: %.1f× faster than the naive baseline at the default settings, %.1f× at concurrency 8.\n", n, naive.wallMS/ours.wallMS, naive.wallMS/ours8.wallMS)
		}
	}
	fmt.Fprintf(&b, "\n![wall time against images](%s)\n\n", o.svg)
	b.WriteString("## Decoding and converting a page (no network)\n\n")
	for name, m := range decode {
		fmt.Fprintf(&b, "`%s`: **%.1f µs and %.0f B allocated per image** (%.0f allocations per image; target ≤ 20 µs and ≤ 8 KiB).\n\n",
			name, m["ns/image"]/1000, m["B/op"]/100, m["allocs/op"]/100)
	}
	if len(e2e) > 0 {
		b.WriteString("## End-to-end `terraform plan`\n\n")
		b.WriteString("| configuration | images | plan wall time | provider peak RSS | terraform peak RSS |\n|---|---:|---:|---:|---:|\n")
		for _, r := range e2e {
			fmt.Fprintf(&b, "| %s | %d | %.1f s | %s | %s |\n", r.name, r.images, r.wall.Seconds(), mib(r.providerRSS), mib(r.terraformRSS))
		}
		b.WriteString("\nNo injected latency here: the time is the provider's and Terraform core's.\n\n")
	}
	for _, s := range sections {
		b.WriteString(s)
	}
	b.WriteString("## Reproduce\n\n```sh\nmake bench                                   # everything above, N up to 100,000 (about 10 minutes)\ngo test -run '^$' -bench . -benchmem ./internal/...   # the Go benchmarks alone\n```\n")
	return b.String()
}

func mib(kb int64) string {
	if kb <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
}

func machine() string {
	out, err := exec.Command("sh", "-c", "nproc; go version").Output()
	if err != nil {
		return "unknown machine"
	}
	parts := strings.Fields(strings.TrimSpace(string(out)))
	if len(parts) < 4 {
		return "unknown machine"
	}
	return fmt.Sprintf("%s cores, %s", parts[0], parts[3])
}

var errNoTime = errors.New("/usr/bin/time not found: peak RSS not measured")
