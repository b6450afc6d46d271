package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// e2eScenario is one end-to-end `terraform plan` against its own fake.
type e2eScenario struct {
	name        string
	images      int // per data source; the fake serves this many
	latency     time.Duration
	qps         float64
	sources     int // data sources reading every image; 0: none (start-up only)
	summaryOnly bool
	parallelism int           // Terraform's -parallelism; 0: its default
	bound       time.Duration // the read's bound, 0: none
}

func (s e2eScenario) service() string {
	parts := []string{}
	if s.latency > 0 {
		parts = append(parts, s.latency.String()+" latency")
	}
	if s.qps > 0 {
		parts = append(parts, fmt.Sprintf("%g QPS", s.qps))
	}
	if len(parts) == 0 {
		return "no latency"
	}
	return strings.Join(parts, ", ")
}

// e2eResult is what one scenario measured.
type e2eResult struct {
	e2eScenario
	wall                      time.Duration
	providerRSS, terraformRSS int64 // KiB
	served, limited           int   // requests the fake saw, and refused by its QPS limit
	load                      string
	err                       error // the plan failed
}

// scenarios lists the end-to-end rows.
func scenarios(o options) []e2eScenario {
	pages := func(n int) int { return (n + 99) / 100 }
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	list := []e2eScenario{
		{name: "empty configuration (start-up)", images: 1},
		{name: "images listed in full (`summary_only = false`)", images: o.e2eImages, sources: 1},
		{name: "`summary_only = true`", images: o.e2eImages, sources: 1, summaryOnly: true},
	}
	calls := o.sources * pages(o.perSource)
	for _, p := range []int{10, 20} {
		list = append(list, e2eScenario{
			name:   fmt.Sprintf("%d data sources, `summary_only`, `-parallelism=%d`", o.sources, p),
			images: o.perSource, latency: latency, qps: 20, sources: o.sources, summaryOnly: true, parallelism: p,
			bound: ms(rateBound(calls, 20)),
		})
	}
	if o.e2eLarge {
		list = append(list, e2eScenario{
			name:   "`summary_only = true`, default settings",
			images: o.e2eLargeImages, latency: latency, sources: 1, summaryOnly: true,
			bound: ms(latencyBound(o.e2eLargeImages, defaultConcurrency)),
		})
	}
	return list
}

// endToEnd builds the provider and the fake, then runs each scenario's
// `terraform plan`, measuring peak RSS with /usr/bin/time (the provider
// through a wrapper Terraform launches).
func endToEnd(ctx context.Context, o options) ([]e2eResult, error) {
	timeBin := "/usr/bin/time"
	if _, err := os.Stat(timeBin); err != nil {
		fmt.Fprintln(os.Stderr, errNoTime)
		timeBin = ""
	}
	work, err := os.MkdirTemp("", "sas-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	terraform, err := output(ctx, "scripts/terraform.sh")
	if err != nil {
		return nil, fmt.Errorf("finding terraform: %w", err)
	}
	plugins := filepath.Join(work, "plugins")
	real := filepath.Join(work, "terraform-provider-sas-real")
	fake := filepath.Join(work, "fakesas")
	for _, build := range [][]string{{"build", "-o", real, "."}, {"build", "-o", fake, "./internal/fakesas/cmd/fakesas"}} {
		if _, err := output(ctx, "go", build...); err != nil {
			return nil, err
		}
	}
	rssFile := filepath.Join(work, "provider-rss")
	if err := writeWrapper(plugins, real, rssFile, timeBin); err != nil {
		return nil, err
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"terraform-sas/sas\" = %q\n  }\n  direct {}\n}\n", plugins)), 0o644); err != nil {
		return nil, err
	}
	r := e2eRunner{work: work, terraform: terraform, fake: fake, timeBin: timeBin, rssFile: rssFile, rc: rc}
	var results []e2eResult
	for k, s := range scenarios(o) {
		if s.sources > 0 && !o.rows.MatchString(s.name) {
			continue
		}
		res, err := r.run(ctx, k, s)
		if err != nil {
			return nil, err
		}
		results = append(results, res)
	}
	return results, nil
}

type e2eRunner struct {
	work, terraform, fake, timeBin, rssFile, rc string
}

// run starts a fake for the scenario, times the plan and stops the fake.
func (r e2eRunner) run(ctx context.Context, k int, s e2eScenario) (e2eResult, error) {
	res := e2eResult{e2eScenario: s}
	ready := filepath.Join(r.work, fmt.Sprintf("endpoint-%d", k))
	args := []string{"-dataset", "generated", "-images", strconv.Itoa(s.images), "-ready-file", ready,
		"-latency", s.latency.String(), "-qps", strconv.FormatFloat(s.qps, 'g', -1, 64)}
	fakeCmd := exec.CommandContext(ctx, r.fake, args...)
	var fakeOut bytes.Buffer
	fakeCmd.Stdout, fakeCmd.Stderr = &fakeOut, os.Stderr
	if err := fakeCmd.Start(); err != nil {
		return res, err
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = fakeCmd.Process.Signal(syscall.SIGINT)
			_ = fakeCmd.Wait()
		}
	}
	defer stop()
	endpoint, err := waitForFile(ready, 60*time.Second)
	if err != nil {
		return res, err
	}

	dir := filepath.Join(r.work, fmt.Sprintf("config-%d", k))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(e2eConfig(s)), 0o644); err != nil {
		return res, err
	}
	_ = os.Remove(r.rssFile)
	planArgs := []string{"-chdir=" + dir, "plan", "-input=false", "-no-color"}
	if s.parallelism > 0 {
		planArgs = append(planArgs, fmt.Sprintf("-parallelism=%d", s.parallelism))
	}
	// Terraform's own peak is polled from /proc: /usr/bin/time would report
	// the largest of it and the provider it waits for.
	cmd := exec.CommandContext(ctx, r.terraform, planArgs...)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+r.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"ALIBABA_CLOUD_ENDPOINT_SAS="+endpoint, "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI-fake-access-key",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=fake-secret-key-do-not-use", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	res.load = loadAverage()
	fmt.Fprintf(os.Stderr, "==> terraform plan: %s, %d images (load average %s)\n", s.name, s.images, res.load)
	start := time.Now()
	err = cmd.Start()
	if err == nil {
		done := make(chan struct{})
		peak := make(chan int64, 1)
		go func() { peak <- pollPeakRSS(cmd.Process.Pid, done) }()
		err = cmd.Wait()
		res.wall = time.Since(start)
		close(done)
		res.terraformRSS = <-peak
	}
	if err != nil {
		res.err = fmt.Errorf("terraform plan: %w\n%s", err, out.String())
		fmt.Fprintln(os.Stderr, res.err)
	}
	res.providerRSS = maxKiB(r.rssFile)
	stop()
	res.served, res.limited = fakeStats(fakeOut.String())
	return res, nil
}

var fakeStatsLine = regexp.MustCompile(`served (\d+) requests, (\d+) refused by the QPS limit`)

// fakeStats reads the counts the fake prints when it stops.
func fakeStats(out string) (served, limited int) {
	m := fakeStatsLine.FindStringSubmatch(out)
	if m == nil {
		return 0, 0
	}
	served, _ = strconv.Atoi(m[1])
	limited, _ = strconv.Atoi(m[2])
	return served, limited
}

// e2eConfig is the configuration of a scenario: the provider and its data
// sources, each reading every image.
func e2eConfig(s e2eScenario) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    sas = { source = \"terraform-sas/sas\" }\n  }\n}\nprovider \"sas\" {\n  protocol = \"HTTP\"\n}\n")
	for k := range s.sources {
		fmt.Fprintf(&b, "data \"sas_image_instances\" \"d%02d\" {\n  summary_only = %v\n}\n", k, s.summaryOnly)
		fmt.Fprintf(&b, "output \"risky_%02d\" {\n  value = data.sas_image_instances.d%02d.summary.risky\n}\n", k, k)
	}
	return b.String()
}

// writeWrapper puts a terraform-provider-sas into dir that runs the real
// binary under /usr/bin/time, appending its peak RSS (KiB) to rssFile.
func writeWrapper(dir, real, rssFile, timeBin string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %q \"$@\"\n", real)
	if timeBin != "" {
		script = fmt.Sprintf("#!/bin/sh\nexec %q -f %%M -a -o %q %q \"$@\"\n", timeBin, rssFile, real)
	}
	return os.WriteFile(filepath.Join(dir, "terraform-provider-sas"), []byte(script), 0o755)
}

// pollPeakRSS reads a process's peak resident set (VmHWM, KiB) every 10 ms
// until done is closed, and returns the last value read.
func pollPeakRSS(pid int, done <-chan struct{}) int64 {
	status := fmt.Sprintf("/proc/%d/status", pid)
	var peak int64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if data, err := os.ReadFile(status); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
					if v, err := strconv.ParseInt(f[1], 10, 64); err == nil && v > peak {
						peak = v
					}
				}
			}
		}
		select {
		case <-done:
			return peak
		case <-tick.C:
		}
	}
}

// maxKiB reads the largest number in a file of /usr/bin/time outputs.
func maxKiB(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	var best int64
	for _, f := range strings.Fields(string(data)) {
		if v, err := strconv.ParseInt(f, 10, 64); err == nil && v > best {
			best = v
		}
	}
	return best
}

func waitForFile(path string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return strings.TrimSpace(string(data)), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("the fake SAS API did not write %s within %s", path, timeout)
}

func output(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}
