package sasapi

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// pageDecoders are the routes measured side by side by BenchmarkDecodePage;
// DescribeImageInstances.Read takes the fastest, "scanner", first.
var pageDecoders = []struct {
	route  string
	decode func([]byte) (*DescribeImageInstancesResponse, error)
}{
	{"encoding-json", decodeImageInstancesPageReflect},
	{"jsontext", decodeImageInstancesPageJSONText},
	{"scanner", decodeImageInstancesPageFast},
}

// BenchmarkDecodePage decodes one full page of 100 realistic images by each
// route and reports the cost per image, the unit the provider pays tens of
// thousands of times for a large registry.
func BenchmarkDecodePage(b *testing.B) {
	const perPage = 100
	body := pageBody(b, fakesas.GenerateImages(perPage, 1), 5000)
	for _, d := range pageDecoders {
		b.Run("route="+d.route, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				if _, err := d.decode(body); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			images := float64(b.N) * perPage
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/images, "ns/image")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/images, "B/image")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/images, "allocs/image")
		})
	}
}

// BenchmarkListImageInstances reads a whole registry from the fake with
// 20 ms of latency per request, as over a real network: concurrent paging
// with large pages against the naive sequential read of 20-image pages.
// N=100000 runs only with SAS_BENCH_LARGE=1.
func BenchmarkListImageInstances(b *testing.B) {
	sizes := []int{1000, 10000}
	if os.Getenv("SAS_BENCH_LARGE") == "1" {
		sizes = append(sizes, 100000)
	}
	modes := []struct {
		name        string
		concurrency int // 0: the defaults
		pageSize    int
	}{
		{"naive/concurrency=1/pagesize=20", 1, 20},
		{"concurrency=1/pagesize=100", 1, 100},
		{"concurrency=4/pagesize=100", 4, 100},
		{"concurrency=8/pagesize=100", 8, 100},
		{fmt.Sprintf("defaults/concurrency=%d/pagesize=%d", DefaultMaxConcurrency, MaxPageSize), 0, 0},
	}
	for _, n := range sizes {
		// Generated on first use, so a -bench filter skipping a size skips its cost.
		images := sync.OnceValue(func() []fakesas.Image { return fakesas.GenerateImages(n, 1) })
		for _, mode := range modes {
			b.Run(fmt.Sprintf("N=%d/%s", n, mode.name), func(b *testing.B) {
				fake := startFake(b, fakesas.Options{Images: images(), Latency: 20 * time.Millisecond})
				c := clientFor(b, fake.Endpoint(), func(cfg *Config) { cfg.MaxConcurrency = max(mode.concurrency, DefaultMaxConcurrency) })
				opts := ListOptions{PageSize: mode.pageSize, MaxConcurrency: mode.concurrency}
				// One untimed read first: the fake encodes each record on first
				// use, and that is the server's cost, not the client's.
				if _, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, opts); err != nil {
					b.Fatal(err)
				}
				fake.ResetCounters()

				for b.Loop() {
					listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, opts)
					if err != nil {
						b.Fatal(err)
					}
					if len(listing.Items) != n {
						b.Fatalf("listed %d images, want %d", len(listing.Items), n)
					}
				}

				b.ReportMetric(float64(fake.Calls(ActionDescribeImageInstances))/float64(b.N), "calls/op")
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
			})
		}
	}
}

// BenchmarkListImageInstancesRateLimited reads 10,000 images (100 pages)
// with the default settings from a fake that allows QPS requests a second
// (a token bucket starting full with one second of tokens) with 20 ms of
// latency. It reports the wall time against the rate bound
// L + (calls − QPS) ÷ QPS, the throttled attempts per 100 calls and the
// images lost (always 0, or the benchmark fails).
func BenchmarkListImageInstancesRateLimited(b *testing.B) {
	const n = 10000
	images := fakesas.GenerateImages(n, 1)
	for _, qps := range []float64{10, 20, 50} {
		b.Run(fmt.Sprintf("N=%d/qps=%g", n, qps), func(b *testing.B) {
			fake := startWarmFake(b, images, 20*time.Millisecond)
			var throttled, calls, lost int
			var wall time.Duration
			for b.Loop() {
				listing, took, requests := readRateLimited(b, fake, qps)
				wall += took
				lost += n - len(listing.Items)
				for _, r := range requests {
					calls++
					if r.RateLimited {
						throttled++
					}
				}
			}
			bound := rateBound(20*time.Millisecond, float64(n/MaxPageSize), qps)
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "ms/op")
			b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
			b.ReportMetric(wall.Seconds()/float64(b.N)/bound.Seconds(), "x-bound")
			b.ReportMetric(100*float64(throttled)/float64(calls), "throttled/100calls")
			b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
			if lost > 0 {
				b.Errorf("%d images lost", lost)
			}
		})
	}
}

// startWarmFake serves images with latency and lists them once, untimed
// and unlimited: encoding every record is the server's cost, not the
// client's.
func startWarmFake(b *testing.B, images []fakesas.Image, latency time.Duration) *fakesas.Server {
	b.Helper()
	fake := startFake(b, fakesas.Options{Images: images, Latency: latency})
	if _, err := List(context.Background(), clientFor(b, fake.Endpoint()), DescribeImageInstances, ImageQuery{}, ListOptions{}); err != nil {
		b.Fatal(err)
	}
	return fake
}

// readRateLimited lists every image of fake, which allows qps requests a
// second from a full bucket (as after a quiet second), with a fresh client
// of the default settings, as a fresh provider process has. Only the
// listing is timed; it returns the listing, its wall time and the requests
// the fake received.
func readRateLimited(b *testing.B, fake *fakesas.Server, qps float64) (*Listing[ImageInstance], time.Duration, []fakesas.RecordedRequest) {
	b.Helper()
	b.StopTimer()
	fake.SetQPS(qps)
	fake.ResetCounters()
	c := clientFor(b, fake.Endpoint(), withMaxRetries(DefaultMaxRetries), func(cfg *Config) {
		cfg.BackoffBase, cfg.BackoffMax = DefaultBackoffBase, DefaultBackoffMax
	})
	b.StartTimer()
	start := time.Now()
	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{})
	took := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	return listing, took, fake.Requests()
}

// rateBound is the least wall time of calls requests to a service that
// allows qps a second from a full bucket: one round trip of latency, then
// the calls beyond the first second's tokens at qps.
func rateBound(latency time.Duration, calls, qps float64) time.Duration {
	return latency + time.Duration(math.Max(0, calls-qps)/qps*float64(time.Second))
}
