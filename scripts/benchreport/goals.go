package main

import (
	"context"
	"fmt"
	"maps"
	"strings"
)

// Reads behind each figure of the goals section: enough for a median and
// a spread on a shared, noisy machine, all in one run so that they share
// its load.
const (
	readWindowReads = "30x"
	throttleReads   = "20x"
)

// goalsBench runs the benchmarks of issue 23's two performance goals, each
// once with many reads (the benchmarks report the median and the spread
// of their reads themselves).
func goalsBench(ctx context.Context, o options) (measured, error) {
	once := o
	once.count = 1
	window, err := goBench(ctx, once, "./internal/sasapi", "^BenchmarkReadWindow$", readWindowReads)
	if err != nil {
		return measured{}, err
	}
	throttle, err := goBench(ctx, once, "./internal/sasapi", "^BenchmarkThrottledInFirstHundredCalls$", throttleReads)
	if err != nil {
		return measured{}, err
	}
	results := maps.Clone(window.results)
	maps.Copy(results, throttle.results)
	return measured{results: results, load: window.load + "; " + throttle.load}, nil
}

func writeGoals(b *strings.Builder, m measured) {
	b.WriteString("## Performance goals (issue 23)\n\n")
	fmt.Fprintf(b, "Load average %s (when each benchmark started). Each figure is the median of many reads in one run, with the spread of those reads.\n\n", m.load)
	b.WriteString("| goal | median | spread (min–max) | reads | target |\n|---|---:|---:|---:|---:|\n")
	if v, ok := m.results["BenchmarkReadWindow"]; ok {
		fmt.Fprintf(b, "| read window ÷ latency bound: 10,000 images, `max_concurrency = 8`, 20 ms latency | %.2f (%.0f ms, bound %.0f ms) | %.2f–%.2f | %s | ≤ 1.15 |\n",
			v["x-bound"], v["median-ms"], v["bound-ms"], v["min-x-bound"], v["max-x-bound"], strings.TrimSuffix(readWindowReads, "x"))
	}
	if v, ok := m.results["BenchmarkThrottledInFirstHundredCalls"]; ok {
		fmt.Fprintf(b, "| throttled among the first 100 calls: 10,000 images, default settings, a 20 QPS token bucket, 20 ms latency | %.0f | %.0f–%.0f | %s | ≤ 10 |\n",
			v["throttled-of-first-100"], v["min-throttled"], v["max-throttled"], strings.TrimSuffix(throttleReads, "x"))
	}
	b.WriteString("\nThe read window is the wall time of one listing (`BenchmarkReadWindow`), from its first request to the assembled result, " +
		"on one client, against the fake in a process of its own (`cmd/fakesas`, as the service is) that has already encoded its records once. Its latency bound is L × (1 + ⌈(pages − 1) / 8⌉) with pages = 100 and L = 20 ms: " +
		"the first page alone (it tells how many pages there are), then the other 99 in waves of 8 requests, each wave one round trip of the injected latency; 280 ms.\n\n")
	b.WriteString("The throttled count (`BenchmarkThrottledInFirstHundredCalls`) is how many of the first 100 requests the fake received, in arrival order, " +
		"it answered `Throttling.User`, each read by a fresh client (as a fresh provider process is) against a bucket starting full with one second of tokens. " +
		"At most the requests in flight when the bucket runs dry (the default `max_concurrency`, 10) are throttled before the first throttled answer reaches the client; the rest of the count is the pace overshooting afterwards.\n\n")
}
