// Command benchreport runs the paging, decoding and rate-limit benchmarks
// and end-to-end `terraform plan`s over the fake SAS API, and writes
// BENCHMARKS.md with tables, the bound and ratio of each row computed in
// the same run, the load average when each was measured, and an SVG plot
// of wall time against the number of images.
//
// Run it from the repository root: `make bench` (or `go run ./scripts/benchreport`).
// A single section with small counts, to check the harness:
//
//	go run ./scripts/benchreport -sections routes,ratelimit -count 1 -out /tmp/B.md -svg /tmp/w.svg
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

// defaultConcurrency mirrors sasapi.DefaultMaxConcurrency (the benchmark
// names carry it; this is only the fallback label).
const defaultConcurrency = 10

type options struct {
	count          int
	large          bool
	out            string
	svg            string
	sections       map[string]bool
	e2eImages      int
	e2eLargeImages int
	sources        int
	perSource      int
	rows           *regexp.Regexp
	e2eLarge       bool
	notes          string
}

var allSections = []string{"list", "goals", "decode", "routes", "ratelimit", "vulns", "secrets", "gate", "e2e"}

func main() {
	var o options
	var sections string
	flag.IntVar(&o.count, "count", 3, "runs of each Go benchmark; the report uses medians")
	flag.BoolVar(&o.large, "large", true, "include N=100000 in the listing section")
	flag.BoolVar(&o.e2eLarge, "e2e-large", true, "include the end-to-end summary plan over -e2e-large-images with latency")
	flag.StringVar(&o.notes, "notes", "bench/notes.md", "hand-written notes appended to the report, if the file exists")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	flag.StringVar(&o.svg, "svg", "bench/wall-time.svg", "plot to write")
	flag.StringVar(&sections, "sections", strings.Join(allSections, ","), "comma-separated sections to run: "+strings.Join(allSections, ", "))
	skipE2E := flag.Bool("skip-e2e", false, "leave out the e2e section")
	flag.IntVar(&o.e2eImages, "e2e-images", 10000, "images in the end-to-end plans without latency")
	flag.IntVar(&o.e2eLargeImages, "e2e-large-images", 100000, "images in the end-to-end summary plan with latency (with -e2e-large)")
	flag.IntVar(&o.sources, "sources", 20, "data sources in the rate-limited end-to-end plan")
	flag.IntVar(&o.perSource, "per-source", 1000, "images each of those data sources reads")
	rows := flag.String("rows", "", "regexp: run only the end-to-end rows whose name matches (the start-up row always runs)")
	flag.Parse()
	o.rows = regexp.MustCompile(*rows)
	o.sections = map[string]bool{}
	for _, s := range strings.Split(sections, ",") {
		o.sections[strings.TrimSpace(s)] = true
	}
	if *skipE2E {
		delete(o.sections, "e2e")
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

// measured is a benchmark's medians and the load average when it ran.
type measured struct {
	results map[string]map[string]float64
	load    string
}

func run(ctx context.Context, o options) error {
	var r report
	var err error
	if o.sections["list"] {
		if r.list, err = goBench(ctx, o, "./internal/sasapi", "^BenchmarkListImageInstances$", "1x"); err != nil {
			return err
		}
	}
	if o.sections["goals"] {
		if r.goals, err = goalsBench(ctx, o); err != nil {
			return err
		}
	}
	if o.sections["decode"] {
		if r.decode, err = goBench(ctx, o, "./internal/provider", "^BenchmarkDecodeAndConvertPage$", "2s"); err != nil {
			return err
		}
	}
	if o.sections["routes"] {
		if r.routes, err = goBench(ctx, o, "./internal/sasapi", "^BenchmarkDecodePage$", "2s"); err != nil {
			return err
		}
	}
	if o.sections["ratelimit"] {
		if r.rateLimited, err = goBench(ctx, o, "./internal/sasapi", "^BenchmarkListImageInstancesRateLimited$", "1x"); err != nil {
			return err
		}
	}
	if o.sections["vulns"] {
		if r.vulns, err = vulnerabilityBench(ctx, o); err != nil {
			return err
		}
	}
	if o.sections["secrets"] {
		if r.secrets, err = secretsBench(ctx, o); err != nil {
			return err
		}
	}
	if o.sections["gate"] {
		if r.gate, err = gateBench(ctx, o); err != nil {
			return err
		}
	}
	if o.sections["e2e"] {
		if r.e2e, err = endToEnd(ctx, o); err != nil {
			return err
		}
	}
	rows := listRows(r.list.results)
	if len(rows) > 0 {
		if err := os.MkdirAll(filepath.Dir(o.svg), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(o.svg, []byte(plot(rows)), 0o644); err != nil {
			return err
		}
	}
	text := markdown(o, rows, r)
	fmt.Print(text)
	return os.WriteFile(o.out, []byte(text), 0o644)
}

// report is everything measured in one run.
type report struct {
	list, goals, decode, routes, rateLimited, vulns, secrets, gate measured
	e2e                                                            []e2eResult
}

// loadAverage is the 1-, 5- and 15-minute load average, as uptime shows it.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

// benchResult holds the metrics of one benchmark line.
type benchResult struct {
	name    string
	metrics map[string]float64
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// goBench runs one benchmark and returns the median of each metric per name.
func goBench(ctx context.Context, o options, pkg, pattern, benchtime string) (measured, error) {
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchmem", "-benchtime", benchtime, "-count", strconv.Itoa(o.count), pkg}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = os.Environ()
	if o.large {
		cmd.Env = append(cmd.Env, "SAS_BENCH_LARGE=1")
	}
	load := loadAverage()
	fmt.Fprintf(os.Stderr, "==> go %s (load average %s)\n", strings.Join(args, " "), load)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return measured{}, fmt.Errorf("go test -bench %s: %w\n%s", pattern, err, out.String())
	}
	return measured{results: medians(parseBench(out.String())), load: load}, nil
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

// sortedNames returns the benchmark names in order.
func sortedNames(results map[string]map[string]float64) []string {
	names := make([]string, 0, len(results))
	for name := range results {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// listRow is one (N, mode) of the listing benchmark.
type listRow struct {
	n            int
	mode         string
	defaults     bool
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
		row := listRow{n: n, concurrency: c, pageSize: p, wallMS: m["ns/op"] / 1e6, calls: m["calls/op"],
			bytesPerImg: m["B/op"] / float64(n), allocsPerImg: m["allocs/op"] / float64(n)}
		switch {
		case strings.HasPrefix(g[2], "naive"):
			row.mode = "naive baseline: sequential, page size 20"
		case strings.HasPrefix(g[2], "defaults"):
			row.defaults = true
			row.mode = fmt.Sprintf("**default settings** (concurrency %d, page size %d)", c, p)
		default:
			row.mode = fmt.Sprintf("concurrency %d, page size %d", c, p)
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].n != rows[j].n {
			return rows[i].n < rows[j].n
		}
		if rows[i].pageSize != rows[j].pageSize {
			return rows[i].pageSize < rows[j].pageSize
		}
		if rows[i].concurrency != rows[j].concurrency {
			return rows[i].concurrency < rows[j].concurrency
		}
		return !rows[i].defaults
	})
	return rows
}

// latencyBound is L × (1 + ceil((pages − 1) / concurrency)), pages = ceil(N / 100).
func latencyBound(n, concurrency int) float64 {
	pages := (n + 99) / 100
	return float64(latency.Milliseconds()) * (1 + math.Ceil(float64(pages-1)/float64(concurrency)))
}

// rateBound is L + (calls − QPS) ÷ QPS in ms: a bucket that starts full
// with one second of tokens serves QPS calls at once, then QPS a second.
func rateBound(calls int, qps float64) float64 {
	return float64(latency.Milliseconds()) + math.Max(0, float64(calls)-qps)/qps*1000
}

func findRow(rows []listRow, n int, match func(listRow) bool) (listRow, bool) {
	for _, r := range rows {
		if r.n == n && match(r) {
			return r, true
		}
	}
	return listRow{}, false
}

func markdown(o options, rows []listRow, r report) string {
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	fmt.Fprintf(&b, "Generated by `make bench` (`go run ./scripts/benchreport`) on %s, %s. ", time.Now().UTC().Format("2006-01-02"), machine())
	fmt.Fprintf(&b, "Go benchmarks are medians of %d runs. The fake SAS API adds %s of latency to every request, as a network would, unless a row says otherwise. ", o.count, latency)
	b.WriteString("The machine is shared: each section gives the load average (1, 5, 15 minutes) when it started, and compares routes measured in the same run.\n\n")
	if len(rows) > 0 {
		writeList(&b, o, rows, r.list.load)
	}
	if len(r.goals.results) > 0 {
		writeGoals(&b, r.goals)
	}
	if len(r.routes.results) > 0 {
		writeRoutes(&b, r.routes)
	}
	if len(r.decode.results) > 0 {
		b.WriteString("## Decoding and converting a page (no network)\n\n")
		fmt.Fprintf(&b, "Load average %s.\n\n", r.decode.load)
		for _, name := range sortedNames(r.decode.results) {
			m := r.decode.results[name]
			fmt.Fprintf(&b, "`%s`: **%.1f µs and %.0f B allocated per image** (%.0f allocations per image; target ≤ 15 µs, ≤ 4 KiB, ≤ 40 allocations).\n\n",
				name, m["ns/image"]/1000, m["B/op"]/100, m["allocs/op"]/100)
		}
	}
	if len(r.rateLimited.results) > 0 {
		writeRateLimited(&b, r.rateLimited)
	}
	if len(r.vulns.results) > 0 {
		writeVulnerabilities(&b, r.vulns)
	}
	if len(r.secrets.results) > 0 {
		writeSecrets(&b, r.secrets)
	}
	if len(r.gate.results) > 0 {
		writeGate(&b, r.gate)
	}
	if len(r.e2e) > 0 {
		writeEndToEnd(&b, r.e2e)
	}
	if notes, err := os.ReadFile(o.notes); err == nil {
		b.Write(notes)
		b.WriteString("\n")
	}
	b.WriteString("## Reproduce\n\n```sh\nmake bench                                   # everything above, N up to 100,000 (10+ minutes)\n")
	b.WriteString("go run ./scripts/benchreport -sections routes,ratelimit -count 1 -out /tmp/B.md -svg /tmp/w.svg   # some sections\n")
	b.WriteString("go run ./scripts/benchreport -sections goals -out /tmp/B.md -svg /tmp/w.svg   # issue 23's two goals alone (about 2 minutes)\n")
	b.WriteString("go test -run '^$' -bench . -benchmem ./internal/...   # the Go benchmarks alone\n```\n")
	return b.String()
}

func writeList(b *strings.Builder, o options, rows []listRow, load string) {
	b.WriteString("## Reading every page\n\n")
	fmt.Fprintf(b, "Load average %s.\n\n", load)
	b.WriteString("| images | mode | wall time | API calls | latency bound | × bound | B/image | allocs/image |\n|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		bound, ratio := "", ""
		if r.pageSize == 100 {
			lb := latencyBound(r.n, r.concurrency)
			bound, ratio = fmt.Sprintf("%.0f ms", lb), fmt.Sprintf("%.2f", r.wallMS/lb)
		}
		fmt.Fprintf(b, "| %d | %s | %.0f ms | %.0f | %s | %s | %.0f | %.1f |\n", r.n, r.mode, r.wallMS, r.calls, bound, ratio, r.bytesPerImg, r.allocsPerImg)
	}
	b.WriteString("\nThe latency bound is L × (1 + ⌈(pages − 1) / concurrency⌉) with pages = ⌈N / 100⌉ and L = 20 ms: the first page, then the rest in waves.\n\n")
	for _, n := range []int{1000, 10000, 100000} {
		naive, ok1 := findRow(rows, n, func(r listRow) bool { return r.pageSize == 20 })
		defaults, ok2 := findRow(rows, n, func(r listRow) bool { return r.defaults })
		c8, ok3 := findRow(rows, n, func(r listRow) bool { return !r.defaults && r.concurrency == 8 && r.pageSize == 100 })
		if ok1 && ok2 && ok3 {
			fmt.Fprintf(b, "- N = %d: **%.1f×** faster than the naive baseline at the default settings (goal ≥ 25× at 10,000), %.1f× at concurrency 8.\n", n, naive.wallMS/defaults.wallMS, naive.wallMS/c8.wallMS)
		}
	}
	fmt.Fprintf(b, "\n![wall time against images](%s)\n\n", o.svg)
}

func writeRoutes(b *strings.Builder, m measured) {
	b.WriteString("## Decoding a page of 100 images, by route (no network)\n\n")
	fmt.Fprintf(b, "Load average %s. Every route runs in the same `go test` process, one after the other, on the same body.\n\n", m.load)
	b.WriteString("| route | µs/image | B/image | allocs/image |\n|---|---:|---:|---:|\n")
	for _, name := range sortedNames(m.results) {
		route := name
		if i := strings.Index(name, "route="); i >= 0 {
			route = name[i+len("route="):]
		}
		v := m.results[name]
		fmt.Fprintf(b, "| %s | %.1f | %.0f | %.1f |\n", route, v["ns/image"]/1000, v["B/image"], v["allocs/image"])
	}
	b.WriteString("\n`encoding-json` is encoding/json with reflection and a `UnmarshalJSON` per field; `jsontext` a hand-written decoder over the `github.com/go-json-experiment/json/jsontext` tokenizer; `scanner` the hand-written decoder over a small validating scanner that `DecodeImageInstancesPage` uses (any body it does not expect goes to encoding/json). Target for decoding alone: ≤ 8 µs per image.\n\n")
}

var qpsName = regexp.MustCompile(`qps=([0-9.]+)$`)

func writeRateLimited(b *strings.Builder, m measured) {
	b.WriteString("## A service that limits the rate (default settings, 10,000 images = 100 calls)\n\n")
	fmt.Fprintf(b, "Load average %s. The fake answers `Throttling.User` beyond QPS requests a second (a token bucket starting full with one second of tokens), with 20 ms of latency.\n\n", m.load)
	b.WriteString("| QPS | wall time | rate bound | × bound | throttled attempts per 100 calls | images lost |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, name := range sortedNames(m.results) {
		g := qpsName.FindStringSubmatch(name)
		if g == nil {
			continue
		}
		v := m.results[name]
		fmt.Fprintf(b, "| %s | %.0f ms | %.0f ms | %.2f | %.1f | %.0f |\n", g[1], v["ms/op"], v["bound-ms"], v["x-bound"], v["throttled/100calls"], v["lost/op"])
	}
	b.WriteString("\nThe rate bound is L + (calls − QPS) ÷ QPS. Goals: ≤ 1.2× the bound, ≤ 10 throttled attempts per 100 calls, nothing lost.\n\n")
}

func writeEndToEnd(b *strings.Builder, results []e2eResult) {
	b.WriteString("## End-to-end `terraform plan`\n\n")
	var startup time.Duration
	for _, r := range results {
		if r.sources == 0 && r.err == nil {
			startup = r.wall
		}
	}
	b.WriteString("| configuration | images | service | plan wall time | bound + start-up | × | API calls | throttled per 100 calls | provider peak RSS | terraform peak RSS | load average |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range results {
		wall, ratio, bound := fmt.Sprintf("%.1f s", r.wall.Seconds()), "", ""
		if r.err != nil {
			wall = "**failed**"
		}
		if r.bound > 0 && startup > 0 {
			total := r.bound + startup
			bound = fmt.Sprintf("%.1f s", total.Seconds())
			if r.err == nil {
				ratio = fmt.Sprintf("%.2f", r.wall.Seconds()/total.Seconds())
			}
		}
		throttled := ""
		if r.served > 0 && r.qps > 0 {
			throttled = fmt.Sprintf("%.1f", 100*float64(r.limited)/float64(r.served))
		}
		images := r.images * r.sources
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %d | %s | %s | %s | %s |\n", r.name, images, r.service(), wall, bound, ratio, r.served, throttled, mib(r.providerRSS), mib(r.terraformRSS), r.load)
	}
	b.WriteString("\nStart-up is the wall time of the empty configuration in the same run (Terraform and the provider starting, no read). Bounds: the latency bound of the read at the default settings, or for a rate-limited service the rate bound L + (calls − QPS) ÷ QPS. A failed row failed the plan; its error is in the benchreport log.\n\n")
	for _, r := range results {
		if r.err != nil {
			fmt.Fprintf(b, "- %s: %s\n", r.name, firstLine(r.err.Error()))
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
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
