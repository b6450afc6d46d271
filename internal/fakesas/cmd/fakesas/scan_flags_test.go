package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func TestScanFlagsBecomeScanOptions(t *testing.T) {
	a, b := strings.Repeat("a", 64), strings.Repeat("b", 64)
	c, err := parseFlags([]string{"-scan-duration", "150ms", "-scan-max-running", "3",
		"-scan-unsupported-regions", "eu-central-1, us-west-1", "-scan-fail", a, "-scan-timeout", b}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := fakesas.ScanOptions{
		Duration: 150 * time.Millisecond, MaxRunning: 3, UnsupportedRegions: []string{"eu-central-1", "us-west-1"},
		Outcomes: map[string]string{a: fakesas.ScanFail, b: fakesas.ScanTimout},
	}
	if got := c.scan.options(); !reflect.DeepEqual(got, want) {
		t.Fatalf("options %+v, want %+v", got, want)
	}
	defaults, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := defaults.scan.options(); got.Duration != fakesas.DefaultScanDuration || got.MaxRunning != fakesas.DefaultMaxRunningScans || len(got.Outcomes) != 0 {
		t.Fatalf("default options %+v", got)
	}
}

func TestScanFlagsAreChecked(t *testing.T) {
	cases := map[string][]string{
		"-scan-duration":    {"-scan-duration", "0s"},
		"-scan-max-running": {"-scan-max-running", "0"},
		"-scan-fail":        {"-scan-fail", "sha256:" + strings.Repeat("a", 64)},
		"-scan-timeout":     {"-scan-timeout", "abc"},
	}
	for want, args := range cases {
		if _, err := parseFlags(args, io.Discard); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: got %v, want an error naming %s", args, err, want)
		}
	}
}
