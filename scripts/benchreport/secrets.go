package main

import (
	"context"
	"fmt"
	"strings"
)

// secretsBench runs the sas_image_sensitive_files benchmark: one image
// with 12 secret types and 300 files read with with_files at the default
// max_concurrency and 20 ms of latency. A read takes about 60 ms, so each
// run reads it 10 times.
func secretsBench(ctx context.Context, o options) (measured, error) {
	return goBench(ctx, o, "./internal/provider", "^BenchmarkReadImageSensitiveFiles$", "10x")
}

func writeSecrets(b *strings.Builder, m measured) {
	b.WriteString("## Secrets with files\n\n")
	fmt.Fprintf(b, "Load average %s.\n\n", m.load)
	b.WriteString("`sas_image_sensitive_files` with `with_files = true` over one image with 12 secret types holding 300 files " +
		"(150, 101, then 49 over ten types), the default `max_concurrency = 10`, 20 ms of latency per request.\n\n")
	b.WriteString("| part | list calls | files calls | wall time | latency bound | × bound |\n|---|---:|---:|---:|---:|---:|\n")
	for _, part := range []struct{ name, label string }{
		{"network", "the list and the files' listings (the client)"},
		{"read", "the whole read, conversion and state write included"},
	} {
		r, ok := m.results["BenchmarkReadImageSensitiveFiles/"+part.name]
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %.0f | %.0f | %.1f ms | %.0f ms | %.2f |\n", part.label, r["list-calls/op"], r["file-calls/op"], r["ms/op"], r["bound-ms"], r["x-bound"])
	}
	b.WriteString("\nThe calls are 1 list call and ⌈files of each type / 100⌉ files calls per type: 1 + 14. The latency bound is the least a read " +
		"can take with C = 10 requests in flight: L × (1 + max(P, ⌈R / C⌉)), with R = 14 files calls, P = 2 (the most pages of one type, " +
		"whose second page cannot start before its first) and L = 20 ms: 60 ms. The target is 1.25 × the bound.\n\n")
}
