package sasapi

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// The two performance goals of issue 23, each measured over many reads in
// one benchmark run so that the median and the spread come from the same
// load. benchreport runs them with -count 1 and a large -benchtime.
const (
	goalImages  = 10000
	goalLatency = 20 * time.Millisecond
)

// BenchmarkReadWindow reads 10,000 images (100 pages) at max_concurrency 8
// from a fake with 20 ms of latency, and reports the read window (the
// listing's wall time) against the latency bound: the first page alone,
// then ⌈(pages − 1) ÷ 8⌉ waves of 8 pages, each one round trip of the
// injected latency. x-bound is the median read; min- and max-x-bound the
// spread. Goal: x-bound ≤ 1.15. The fake runs in a process of its own, as
// the service does: in the benchmark's process its allocations would be
// collected on the client's time.
func BenchmarkReadWindow(b *testing.B) {
	const concurrency = 8
	endpoint := startFakeProcess(b, "-dataset", "generated", "-images", strconv.Itoa(goalImages), "-seed", "1", "-latency", goalLatency.String())
	c := clientFor(b, endpoint, func(cfg *Config) { cfg.MaxConcurrency = concurrency })
	// One untimed read first: the fake encodes each record on first use,
	// and that is the server's cost, not the client's.
	if _, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{}); err != nil {
		b.Fatal(err)
	}

	var windows []time.Duration
	defer func() { b.Logf("read windows: %v", windows) }()
	for b.Loop() {
		start := time.Now()
		listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{})
		windows = append(windows, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if len(listing.Items) != goalImages {
			b.Fatalf("listed %d images, want %d", len(listing.Items), goalImages)
		}
	}

	bound := readWindowBound(goalImages, MaxPageSize, concurrency, goalLatency)
	slices.Sort(windows)
	ratio := func(d time.Duration) float64 { return d.Seconds() / bound.Seconds() }
	b.ReportMetric(float64(median(windows).Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
	b.ReportMetric(ratio(median(windows)), "x-bound")
	b.ReportMetric(ratio(windows[0]), "min-x-bound")
	b.ReportMetric(ratio(windows[len(windows)-1]), "max-x-bound")
}

// readWindowBound is the latency bound of a listing of n records: the first
// page alone, then the other pages in waves of concurrency, each wave one
// round trip of latency.
func readWindowBound(n, pageSize, concurrency int, latency time.Duration) time.Duration {
	pages := (n + pageSize - 1) / pageSize
	waves := (pages - 1 + concurrency - 1) / concurrency
	return latency * time.Duration(1+waves)
}

// BenchmarkThrottledInFirstHundredCalls reads 10,000 images (100 pages)
// with the default settings, each read by a fresh client (as a fresh
// provider process is), from a fake with 20 ms of latency that allows 20
// requests a second (a token bucket starting full with one second of
// tokens). It reports how many of the first 100 requests the fake received
// it throttled: the median read, and the spread. Goal: ≤ 10.
func BenchmarkThrottledInFirstHundredCalls(b *testing.B) {
	const qps, first = 20, 100
	fake := startWarmFake(b, fakesas.GenerateImages(goalImages, 1), goalLatency)

	var throttled []int
	var which [][]int // which of the first calls were throttled, for the log
	var wall time.Duration
	for b.Loop() {
		listing, took, requests := readRateLimited(b, fake, qps)
		wall += took
		if len(listing.Items) != goalImages {
			b.Fatalf("listed %d images, want %d", len(listing.Items), goalImages)
		}
		if len(requests) < first {
			b.Fatalf("the fake saw %d requests, want at least %d", len(requests), first)
		}
		var at []int
		for i, r := range requests[:first] {
			if r.RateLimited {
				at = append(at, i+1)
			}
		}
		throttled = append(throttled, len(at))
		which = append(which, at)
	}

	b.Logf("which of the first %d calls were throttled, read by read: %v", first, which)
	slices.Sort(throttled)
	sum := 0
	for _, n := range throttled {
		sum += n
	}
	b.ReportMetric(float64(median(throttled)), "throttled-of-first-100")
	b.ReportMetric(float64(sum)/float64(len(throttled)), "mean-throttled")
	b.ReportMetric(float64(throttled[0]), "min-throttled")
	b.ReportMetric(float64(throttled[len(throttled)-1]), "max-throttled")
	b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(wall.Seconds()/float64(b.N)/rateBound(goalLatency, first, qps).Seconds(), "x-rate-bound")
}

// startFakeProcess builds the standalone fake (cmd/fakesas), starts it
// with args and returns its endpoint; the process is killed at cleanup.
func startFakeProcess(tb testing.TB, args ...string) string {
	tb.Helper()
	dir := tb.TempDir()
	bin, ready := filepath.Join(dir, "fakesas"), filepath.Join(dir, "endpoint")
	if out, err := exec.Command("go", "build", "-o", bin, "../fakesas/cmd/fakesas").CombinedOutput(); err != nil {
		tb.Fatalf("building the fake: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append(args, "-ready-file", ready)...)
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting the fake: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for range 600 {
		if endpoint, err := os.ReadFile(ready); err == nil {
			return strings.TrimSpace(string(endpoint))
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatal("the fake did not write its endpoint within a minute")
	return ""
}

// median is the middle of sorted values (the upper middle for an even count).
func median[T any](sorted []T) T {
	return sorted[len(sorted)/2]
}
