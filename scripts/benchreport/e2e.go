package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// e2eResult is one end-to-end `terraform plan`.
type e2eResult struct {
	name         string
	images       int
	wall         time.Duration
	providerRSS  int64 // KiB
	terraformRSS int64 // KiB
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

// endToEnd builds the provider and the fake, then times `terraform plan`
// over n images with and without summary_only, measuring peak RSS with
// /usr/bin/time (the provider through a wrapper Terraform launches).
func endToEnd(ctx context.Context, n int) ([]e2eResult, error) {
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

	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"terraform-sas/sas\" = %q\n  }\n  direct {}\n}\n", plugins)), 0o644); err != nil {
		return nil, err
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"ALIBABA_CLOUD_ENDPOINT_SAS="+endpoint, "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI-fake-access-key",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET=fake-secret-key-do-not-use", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")

	var results []e2eResult
	for _, summaryOnly := range []bool{false, true} {
		name := "images listed in full (`summary_only = false`)"
		if summaryOnly {
			name = "`summary_only = true`"
		}
		dir := filepath.Join(work, fmt.Sprintf("config-%v", summaryOnly))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(fmt.Sprintf(e2eConfig, strconv.FormatBool(summaryOnly))), 0o644); err != nil {
			return nil, err
		}
		_ = os.Remove(rssFile)
		tfRSS := filepath.Join(work, "terraform-rss")
		args := []string{"-chdir=" + dir, "plan", "-input=false", "-no-color"}
		cmd := exec.CommandContext(ctx, terraform, args...)
		if timeBin != "" {
			cmd = exec.CommandContext(ctx, timeBin, append([]string{"-f", "%M", "-o", tfRSS, terraform}, args...)...)
		}
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		fmt.Fprintf(os.Stderr, "==> terraform plan over %d images, summary_only=%v\n", n, summaryOnly)
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("terraform plan: %w\n%s", err, out.String())
		}
		results = append(results, e2eResult{name: name, images: n, wall: time.Since(start), providerRSS: maxKiB(rssFile), terraformRSS: maxKiB(tfRSS)})
	}
	return results, nil
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
