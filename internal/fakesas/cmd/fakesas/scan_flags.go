package main

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// scanFlags configure the fake's image scan tasks.
type scanFlags struct {
	duration           time.Duration
	maxRunning         int
	unsupportedRegions string
	fail               string
	timeout            string
}

func (f *scanFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.duration, "scan-duration", fakesas.DefaultScanDuration, "how long an image scan task runs")
	fs.IntVar(&f.maxRunning, "scan-max-running", fakesas.DefaultMaxRunningScans, "scan tasks that may run at once before creation is refused")
	fs.StringVar(&f.unsupportedRegions, "scan-unsupported-regions", "", "comma-separated `regions` whose images cannot be scanned (TASK_NOT_SUPPORT_REGION)")
	fs.StringVar(&f.fail, "scan-fail", "", "comma-separated bare `digests` whose scans end with FAIL")
	fs.StringVar(&f.timeout, "scan-timeout", "", "comma-separated bare `digests` whose scans end with TIMOUT")
}

var bareDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (f *scanFlags) check() error {
	if f.duration <= 0 {
		return fmt.Errorf("-scan-duration must be positive, got %s", f.duration)
	}
	if f.maxRunning <= 0 {
		return fmt.Errorf("-scan-max-running must be positive, got %d", f.maxRunning)
	}
	for name, list := range map[string]string{"-scan-fail": f.fail, "-scan-timeout": f.timeout} {
		for _, d := range splitList(list) {
			if !bareDigest.MatchString(d) {
				return fmt.Errorf("%s: %q is not a bare 64-hex digest", name, d)
			}
		}
	}
	return nil
}

func (f *scanFlags) options() fakesas.ScanOptions {
	outcomes := map[string]string{}
	for _, d := range splitList(f.fail) {
		outcomes[d] = fakesas.ScanFail
	}
	for _, d := range splitList(f.timeout) {
		outcomes[d] = fakesas.ScanTimout
	}
	return fakesas.ScanOptions{
		Duration:           f.duration,
		MaxRunning:         f.maxRunning,
		UnsupportedRegions: splitList(f.unsupportedRegions),
		Outcomes:           outcomes,
	}
}

func splitList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
