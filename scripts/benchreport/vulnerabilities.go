package main

import (
	"context"
	"fmt"
	"strings"
)

// vulnerabilityBench runs the sas_image_vulnerabilities benchmarks: 100
// images with 50 rows each and 300 distinct names, read with details at
// max_concurrency 8 and 20 ms of latency, and the conversion alone.
func vulnerabilityBench(ctx context.Context, o options) (measured, error) {
	return goBench(ctx, o, "./internal/provider", "^Benchmark(ReadImageVulnerabilities|ConvertVulnerabilities)$", "1x")
}

func writeVulnerabilities(b *strings.Builder, m measured) {
	results := m.results
	b.WriteString("## Vulnerabilities with details\n\n")
	fmt.Fprintf(b, "Load average %s.\n\n", m.load)
	b.WriteString("`sas_image_vulnerabilities` with `with_cve_details = true` over 100 images with 50 unfixed rows each (5,000 rows) " +
		"naming 300 distinct vulnerabilities, `max_concurrency = 8`, 20 ms of latency per request.\n\n")
	b.WriteString("| part | list calls | detail calls | wall time | latency bound | × bound |\n|---|---:|---:|---:|---:|---:|\n")
	for _, part := range []struct{ name, label string }{
		{"network", "listing and lookups (the client)"},
		{"read", "the whole read, conversion included"},
	} {
		m, ok := results["BenchmarkReadImageVulnerabilities/"+part.name]
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %.0f | %.0f | %.0f ms | %.0f ms | %.2f |\n", part.label, m["list-calls/op"], m["detail-calls/op"], m["ms/op"], m["bound-ms"], m["x-bound"])
	}
	b.WriteString("\nThe latency bound is L × (1 + ⌈(pages − 1) / 8⌉ + ⌈names / 8⌉) with pages = ⌈5,000 / 100⌉ = 50, names = 300 and L = 20 ms: " +
		"the first page, the other pages in waves, then the lookups in waves. The target is 1.25 × the bound.\n\n")
	if m, ok := results["BenchmarkConvertVulnerabilities"]; ok {
		fmt.Fprintf(b, "`BenchmarkConvertVulnerabilities`: flattening the 5,000 rows and their details into the model and writing it with `setState` takes **%.0f µs and %.0f B per row** (%.0f allocations per row).\n\n",
			m["us/row"], m["B/op"]/5000, m["allocs/op"]/5000)
	}
}
