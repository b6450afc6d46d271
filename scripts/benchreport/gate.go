package main

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// gateBench runs the sas_image_gate benchmark: a release of 10 images
// with every policy block and min_cvss, at the default max_concurrency
// and 20 ms of latency.
func gateBench(ctx context.Context, o options) (measured, error) {
	return goBench(ctx, o, "./internal/provider", "^BenchmarkReadImageGate$", "1x")
}

// gateActions are the actions a gate read calls, in the order of the read.
var gateActions = []string{
	"DescribeImageInstances", "DescribeImageVulList", "DescribeVulDetails", "DescribeImageBaselineCheckResult", "DescribeImageBaselineItemList",
	"DescribeImageSensitiveFileList", "DescribeImageSensitiveFileByKey", "DescribeAffectedMaliciousFileImages", "DescribeGroupedMaliciousFiles",
}

func writeGate(b *strings.Builder, m measured) {
	r, ok := m.results["BenchmarkReadImageGate"]
	if !ok {
		return
	}
	b.WriteString("## A release gate\n\n")
	fmt.Fprintf(b, "Load average %s.\n\n", m.load)
	b.WriteString("`sas_image_gate` over a release of 10 images (one repository) with every policy block — `vulnerabilities` with `min_cvss`, " +
		"`baselines`, `sensitive_files`, `malicious_files` — and `max_scan_age`, at the default `max_concurrency` (10), 20 ms of latency per request; " +
		"the whole read, the state write included, with an empty CVE cache. The fake's data: 50 unfixed vulnerability rows per image " +
		"(about 520 rows with the fixing and fixed ones) naming about 150 distinct vulnerabilities; baselines, secrets and malware drawn from the digests.\n\n")
	b.WriteString("| action | calls per read |\n|---|---:|\n")
	for _, action := range gateActions {
		fmt.Fprintf(b, "| `%s` | %.0f |\n", action, r[action+"/op"])
	}
	fmt.Fprintf(b, "| **all** | **%.0f** |\n\n", r["calls/op"])
	b.WriteString("| wall time | latency bound | × bound |\n|---:|---:|---:|\n")
	fmt.Fprintf(b, "| %.0f ms | %.0f ms | %.2f |\n\n", r["ms/op"], r["bound-ms"], r["x-bound"])
	b.WriteString("The latency bound of the read's call graph is the least time any schedule of its calls needs when every call takes " +
		"L = 20 ms and at most C = 10 are in flight: L × (1 + max(chain, work)) waves, where 1 is the image listing (every other call needs its " +
		"records), chain = 1 + ⌈(pages − 1) / C⌉ + ⌈names / C⌉ is the vulnerability chain after it (the listing's first page, its other pages, " +
		"then the lookups of the distinct names, each phase starting when the one before has ended), and work = ⌈(calls − 1) / C⌉ is every " +
		"other call in waves of C. pages, names and calls are the `DescribeImageVulList`, `DescribeVulDetails` and total calls above. " +
		"The target is 1.3 × the bound.\n\n")
	waves := func(n float64) float64 { return math.Ceil(n / 10) }
	chain, work := 1+waves(r["DescribeImageVulList/op"]-1)+waves(r["DescribeVulDetails/op"]), waves(r["calls/op"]-1)
	fmt.Fprintf(b, "Here chain = 1 + ⌈%.0f / 10⌉ + ⌈%.0f / 10⌉ = %.0f and work = ⌈%.0f / 10⌉ = %.0f: the bound is 20 ms × %.0f = %.0f ms.\n\n",
		r["DescribeImageVulList/op"]-1, r["DescribeVulDetails/op"], chain, r["calls/op"]-1, work, 1+math.Max(chain, work), 20*(1+math.Max(chain, work)))
}
