package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// e2eResult is the median of the end-to-end `terraform plan` runs of one
// configuration and conversion route.
type e2eResult struct {
	name         string
	route        string
	images       int
	wall         time.Duration
	providerRSS  int64 // KiB
	terraformRSS int64 // KiB
}

// conversionRoute is a way the provider can write sas_image_instances'
// state, selected at build time by a tag.
type conversionRoute struct {
	name string
	tags string
}

// conversionRoutes lists the routes, the one the provider uses (no tags) first.
var conversionRoutes = []conversionRoute{
	{name: "encoder", tags: ""},
	{name: "framework", tags: "sas_framework_route"},
}

// routeDescriptions says what each route does.
const routeDescriptions = "- **encoder**: tfsdk-tagged model structs (`timetypes.RFC3339` for the `*_at` attributes) encoded to `tftypes` values by `setState`, " +
	"which plans the struct once per read and shares repeated values; one state write.\n" +
	"- **framework**: the same model structs written by the framework's `State.Set`, which reflects over every field of every element " +
	"(the provider built with `-tags sas_framework_route`)."

// routeDecision says which route the provider uses and why, from the
// plan times of the full listing. Issue 10's rule: keep a hand-built route
// only if it saves at least 20% of the end-to-end plan time.
func routeDecision(encoder, framework time.Duration) string {
	if encoder <= 0 || framework <= 0 {
		return "The end-to-end plans were not measured."
	}
	saved := 100 * (1 - encoder.Seconds()/framework.Seconds())
	if saved < 20 {
		return fmt.Sprintf("**The encoder saves only %.0f%% of the plan time, less than the 20%% that justifies a hand-built route: "+
			"make `setState` call `State.Set` and delete the encoder.**", saved)
	}
	return fmt.Sprintf("The provider uses the **encoder**: it saves %.0f%% of the framework route's plan time, more than the 20%% "+
		"that justifies a hand-built route. It is generic, not per field: a data source declares a tfsdk-tagged model struct, "+
		"flattens the API records into it and calls `setState`; `TestSetState_writesWhatStateSetWrites` holds it to exactly what `State.Set` writes.", saved)
}

const e2eConfig = `terraform {
  required_providers {
    sas = { source = "terraform-sas/sas" }
  }
}
provider "sas" {
  protocol = "HTTP"
}
data "sas_image_instances" "all" {
  summary_only = %s
}
output "risky" {
  value = data.sas_image_instances.all.summary.risky
}
`

// selectRoutes returns the named routes, or every route for "".
func selectRoutes(names string) []conversionRoute {
	if names == "" {
		return conversionRoutes
	}
	var out []conversionRoute
	for _, r := range conversionRoutes {
		if slices.Contains(strings.Split(names, ","), r.name) {
			out = append(out, r)
		}
	}
	return out
}

// e2eRun is one provider build and one configuration to plan.
type e2eRun struct {
	name        string
	route       conversionRoute
	summaryOnly bool
	rc          string // Terraform CLI config pointing at the route's build
	rssFile     string
}

// endToEnd builds the provider once per conversion route and the fake, then
// times `terraform plan` over n images: the full listing with every route,
// runs interleaved so the routes share the machine's noise, and
// summary_only with the default route. Peak RSS comes from /usr/bin/time
// (the provider through a wrapper Terraform launches).
func endToEnd(ctx context.Context, n, runs int, routes []conversionRoute) ([]e2eResult, error) {
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
	fake := filepath.Join(work, "fakesas")
	if _, err := output(ctx, "go", "build", "-o", fake, "./internal/fakesas/cmd/fakesas"); err != nil {
		return nil, err
	}
	var plans []e2eRun
	for _, route := range routes {
		run, err := buildRoute(ctx, work, route, timeBin)
		if err != nil {
			return nil, err
		}
		run.name = "images listed in full (`summary_only = false`)"
		plans = append(plans, run)
		if route.tags == "" {
			summary := run
			summary.name, summary.summaryOnly = "`summary_only = true`", true
			plans = append(plans, summary)
		}
	}

	ready := filepath.Join(work, "endpoint")
	fakeCmd := exec.CommandContext(ctx, fake, "-dataset", "generated", "-images", strconv.Itoa(n), "-ready-file", ready)
	if err := fakeCmd.Start(); err != nil {
		return nil, err
	}
	defer func() { _ = fakeCmd.Process.Kill(); _ = fakeCmd.Wait() }()
	endpoint, err := waitForFile(ready, 10*time.Second)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"ALIBABA_CLOUD_ENDPOINT_SAS="+endpoint, "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI-fake-access-key",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=fake-secret-key-do-not-use", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")

	samples := make([][]e2eResult, len(plans))
	for r := 0; r < runs; r++ {
		for k, plan := range plans {
			res, err := planOnce(ctx, work, terraform, timeBin, env, plan, n)
			if err != nil {
				return nil, err
			}
			samples[k] = append(samples[k], res)
		}
	}
	results := make([]e2eResult, len(plans))
	for k := range plans {
		results[k] = medianResult(samples[k])
	}
	return results, nil
}

// buildRoute builds the provider with the route's tags into its own plugin
// directory, behind a wrapper that records peak RSS.
func buildRoute(ctx context.Context, work string, route conversionRoute, timeBin string) (e2eRun, error) {
	dir := filepath.Join(work, "route-"+route.name)
	plugins := filepath.Join(dir, "plugins")
	real := filepath.Join(dir, "terraform-provider-sas-real")
	if _, err := output(ctx, "go", "build", "-tags", route.tags, "-o", real, "."); err != nil {
		return e2eRun{}, err
	}
	rssFile := filepath.Join(dir, "provider-rss")
	if err := writeWrapper(plugins, real, rssFile, timeBin); err != nil {
		return e2eRun{}, err
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"terraform-sas/sas\" = %q\n  }\n  direct {}\n}\n", plugins)), 0o644); err != nil {
		return e2eRun{}, err
	}
	return e2eRun{route: route, rc: rc, rssFile: rssFile}, nil
}

// planOnce runs one `terraform plan` and measures it.
func planOnce(ctx context.Context, work, terraform, timeBin string, env []string, plan e2eRun, n int) (e2eResult, error) {
	dir := filepath.Join(work, fmt.Sprintf("config-%s-%v", plan.route.name, plan.summaryOnly))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return e2eResult{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fmt.Sprintf(e2eConfig, strconv.FormatBool(plan.summaryOnly))), 0o644); err != nil {
		return e2eResult{}, err
	}
	_ = os.Remove(plan.rssFile)
	tfRSS := filepath.Join(work, "terraform-rss")
	_ = os.Remove(tfRSS)
	args := []string{"-chdir=" + dir, "plan", "-input=false", "-no-color"}
	cmd := exec.CommandContext(ctx, terraform, args...)
	if timeBin != "" {
		cmd = exec.CommandContext(ctx, timeBin, append([]string{"-f", "%M", "-o", tfRSS, terraform}, args...)...)
	}
	cmd.Env = append(env, "TF_CLI_CONFIG_FILE="+plan.rc)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	fmt.Fprintf(os.Stderr, "==> terraform plan over %d images, route %s, summary_only=%v\n", n, plan.route.name, plan.summaryOnly)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return e2eResult{}, fmt.Errorf("terraform plan: %w\n%s", err, out.String())
	}
	res := e2eResult{name: plan.name, route: plan.route.name, images: n, wall: time.Since(start),
		providerRSS: maxKiB(plan.rssFile), terraformRSS: maxKiB(tfRSS)}
	fmt.Fprintf(os.Stderr, "    %.2f s, provider %s, terraform %s\n", res.wall.Seconds(), mib(res.providerRSS), mib(res.terraformRSS))
	return res, nil
}

// medianResult takes the median of each measure separately.
func medianResult(samples []e2eResult) e2eResult {
	out := samples[0]
	walls := make([]float64, len(samples))
	prov := make([]float64, len(samples))
	tf := make([]float64, len(samples))
	for k, s := range samples {
		walls[k], prov[k], tf[k] = float64(s.wall), float64(s.providerRSS), float64(s.terraformRSS)
	}
	out.wall = time.Duration(median(walls))
	out.providerRSS, out.terraformRSS = int64(median(prov)), int64(median(tf))
	return out
}

func median(vs []float64) float64 {
	sorted := append([]float64(nil), vs...)
	sort.Float64s(sorted)
	return sorted[len(sorted)/2]
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
