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
	sections  string
	routes    string
	e2eImages int
}

func main() {
	var o options
	flag.IntVar(&o.count, "count", 3, "runs of each benchmark; the report uses medians")
	flag.BoolVar(&o.large, "large", true, "include N=100000")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "report to write")
	flag.StringVar(&o.svg, "svg", "bench/wall-time.svg", "plot to write")
	flag.StringVar(&o.sections, "sections", "paging,conversion,vulnerabilities",
		"sections to measure: paging (the listing benchmarks), conversion (decode + convert per route, and the end-to-end plans), vulnerabilities (the sas_image_vulnerabilities read); the others are kept from the existing report")
	flag.StringVar(&o.routes, "routes", "", "conversion routes to measure end to end, comma-separated (default all)")
	flag.IntVar(&o.e2eImages, "e2e-images", 10000, "images in the end-to-end plan")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	var sections []section
	for _, name := range strings.Split(o.sections, ",") {
		var (
			produced []section
			err      error
		)
		switch strings.TrimSpace(name) {
		case "paging":
			produced, err = pagingSections(ctx, o)
		case "conversion":
			produced, err = conversionSections(ctx, o)
		case "vulnerabilities":
			produced, err = vulnerabilitySections(ctx, o)
		default:
			err = fmt.Errorf("unknown section %q", name)
		}
		if err != nil {
			return err
		}
		sections = append(sections, produced...)
	}
	previous, err := os.ReadFile(o.out)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	report := assemble(o, sections, string(previous))
	fmt.Print(report)
	return os.WriteFile(o.out, []byte(report), 0o644)
}

func pagingSections(ctx context.Context, o options) ([]section, error) {
	list, err := goBench(ctx, o, "./internal/sasapi", "^BenchmarkListImageInstances$")
	if err != nil {
		return nil, err
	}
	rows := listRows(list)
	if err := os.MkdirAll(filepath.Dir(o.svg), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(o.svg, []byte(plot(rows)), 0o644); err != nil {
		return nil, err
	}
	return []section{{heading: headingPaging, body: pagingMarkdown(o, rows)}}, nil
}

func conversionSections(ctx context.Context, o options) ([]section, error) {
	decode, err := goBench(ctx, o, "./internal/provider", "^BenchmarkDecodeAndConvertPage$")
	if err != nil {
		return nil, err
	}
	e2e, err := endToEnd(ctx, o.e2eImages, o.count, selectRoutes(o.routes))
	if err != nil {
		return nil, err
	}
	return []section{{heading: headingConversion, body: conversionMarkdown(o, decode, e2e)}}, nil
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

// section is one "## " section of the report.
type section struct {
	heading string
	body    string // everything after the heading line
}

const (
	headingPaging     = "Reading every page"
	headingConversion = "Converting images to Terraform values: framework route against hand-built route"
	// headingRouteChoice is maintained by hand: it records the one-off
	// comparison with a route that no longer exists.
	headingRouteChoice = "How the conversion route was chosen (issue 10, measured once)"
	headingVulns       = "Vulnerabilities with details"
	headingReproduce   = "Reproduce"
)

// assemble writes the report: the sections just measured, and the other
// known sections (the hand-maintained one included) as they were in the
// previous report.
func assemble(o options, fresh []section, previous string) string {
	kept := map[string]string{}
	for _, s := range splitSections(previous) {
		kept[s.heading] = s.body
	}
	for _, s := range fresh {
		kept[s.heading] = s.body
	}
	var b strings.Builder
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("Generated by `make bench` (`go run ./scripts/benchreport`); each section says when and on what it was measured. ")
	b.WriteString("`-sections` re-measures some sections and keeps the others from this file.\n\n")
	for _, heading := range []string{headingPaging, headingConversion, headingRouteChoice, headingVulns} {
		if body, ok := kept[heading]; ok {
			fmt.Fprintf(&b, "## %s\n\n%s\n\n", heading, strings.TrimSpace(body))
		}
	}
	fmt.Fprintf(&b, "## %s\n\n", headingReproduce)
	b.WriteString("```sh\nmake bench                                   # everything above, N up to 100,000 (about 15 minutes)\n")
	b.WriteString("go run ./scripts/benchreport -sections conversion   # only the conversion routes and the end-to-end plans\n")
	b.WriteString("go test -run '^$' -bench . -benchmem ./internal/...   # the Go benchmarks alone\n```\n")
	_ = o
	return b.String()
}

// splitSections cuts a report at its "## " headings.
func splitSections(report string) []section {
	var out []section
	parts := strings.Split("\n"+report, "\n## ")
	for _, part := range parts[1:] {
		heading, body, _ := strings.Cut(part, "\n")
		out = append(out, section{heading: strings.TrimSpace(heading), body: body})
	}
	return out
}

func measuredOn(o options) string {
	return fmt.Sprintf("Measured on %s, %s; medians of %d runs.", time.Now().UTC().Format("2006-01-02"), machine(), o.count)
}

func pagingMarkdown(o options, rows []listRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s The fake SAS API adds %s of latency to every request, as a network would.\n\n", measuredOn(o), latency)
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
	fmt.Fprintf(&b, "\n![wall time against images](%s)\n", o.svg)
	return b.String()
}

// conversionMarkdown puts the conversion routes side by side: per image
// without network, then end to end.
func conversionMarkdown(o options, decode map[string]map[string]float64, e2e []e2eResult) string {
	var b strings.Builder
	used := conversionRoutes[0].name
	fmt.Fprintf(&b, "%s The end-to-end runs of the routes are interleaved, so they share the machine's noise.\n\n", measuredOn(o))
	fmt.Fprintf(&b, "%s\n\n", routeDescriptions)
	b.WriteString("Decoding and converting one 100-image page, no network (`BenchmarkDecodeAndConvertPage`: typed decode, then `images`, `ids` and `summary` written into a `tfsdk.State`):\n\n")
	b.WriteString("| route | time per image | B per image | allocations per image |\n|---|---:|---:|---:|\n")
	for _, route := range conversionRoutes {
		m, ok := decode["BenchmarkDecodeAndConvertPage/route="+route.name]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "| %s | %.1f µs | %.0f | %.0f |\n", routeLabel(route.name, used), m["ns/image"]/1000, m["B/op"]/100, m["allocs/op"]/100)
	}
	b.WriteString("\nEnd-to-end `terraform plan` (no injected latency: the time is the provider's and Terraform core's). ")
	b.WriteString("Terraform's peak RSS is what `/usr/bin/time` reports for it, which covers the provider processes it waited for: where the provider is the larger, both columns show the provider's.\n\n")
	b.WriteString("| route | configuration | images | plan wall time | provider peak RSS | terraform peak RSS |\n|---|---|---:|---:|---:|---:|\n")
	walls := map[string]time.Duration{}
	for _, r := range e2e {
		fmt.Fprintf(&b, "| %s | %s | %d | %.2f s | %s | %s |\n", routeLabel(r.route, used), r.name, r.images, r.wall.Seconds(), mib(r.providerRSS), mib(r.terraformRSS))
		if !strings.Contains(r.name, "summary_only = true") {
			walls[r.route] = r.wall
		}
	}
	fmt.Fprintf(&b, "\n%s\n", routeDecision(walls["encoder"], walls["framework"]))
	return b.String()
}

func routeLabel(name, used string) string {
	if name == used {
		return "**" + name + "** (used)"
	}
	return name
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
