//go:build unix

package provider

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// interruptSlack bounds how long Terraform and the provider may take to
// stop after Ctrl-C. They take milliseconds (RELIABILITY.md); the bound is
// generous for a loaded 2-core machine under -race, and still far below the
// minute the fake makes the request wait, so only an aborted request passes.
const interruptSlack = 10 * time.Second

// A user pressing Ctrl-C during a read must not wait for the service: the
// provider's in-flight requests abort and Terraform exits promptly. This runs
// the real plugin binary under the real Terraform CLI (through dev_overrides),
// because in-process test providers cannot be interrupted the way users do.
func TestAccInterrupt_ctrlCDuringAReadStopsPromptly(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		t.Skip("needs TF_ACC_TERRAFORM_PATH (make test sets it)")
	}
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	binary := filepath.Join(dir, "terraform-provider-sas")
	build := exec.Command("go", "build", "-o", binary, "../..")
	started := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	t.Logf("built the provider in %v", time.Since(started).Round(time.Millisecond))
	// Terraform starts the provider through this script, which records the
	// process id the provider then runs under (exec keeps it).
	pidFile := filepath.Join(dir, "provider.pid")
	writeFile(t, filepath.Join(plugins, "terraform-provider-sas"), "#!/bin/sh\necho $$ > '"+pidFile+"'\nexec '"+binary+"' \"$@\"\n")
	if err := os.Chmod(filepath.Join(plugins, "terraform-provider-sas"), 0o755); err != nil {
		t.Fatal(err)
	}
	isolateEnv(t) // after the build: it moves HOME, and with it Go's caches
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(10, 1), Latency: time.Minute})

	rc := filepath.Join(dir, "terraformrc")
	writeFile(t, rc, "provider_installation {\n  dev_overrides {\n    \"terraform-sas/sas\" = \""+plugins+"\"\n    \"registry.opentofu.org/terraform-sas/sas\" = \""+plugins+"\"\n  }\n  direct {}\n}\n")
	config := filepath.Join(dir, "config")
	writeFile(t, filepath.Join(config, "main.tf"), `terraform {
  required_providers {
    sas = { source = "terraform-sas/sas" }
  }
}
data "sas_image_instances" "slow" {}
`)

	cmd := exec.Command(terraform, "-chdir="+config, "plan", "-input=false", "-no-color")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "SAS_PROTOCOL=HTTP",
		"ALIBABA_CLOUD_ENDPOINT_SAS="+fake.Endpoint(), "ALIBABA_CLOUD_ACCESS_KEY_ID="+fakesas.TestAccessKey,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET="+fakesas.TestSecretKey)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// Interrupt once the provider's request is waiting on the slow service.
	deadline := time.Now().Add(time.Minute)
	for len(fake.Requests()) == 0 && fake.Calls("DescribeImageInstances") == 0 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the provider never called the fake:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the read reached the fake %v after the build", time.Since(started).Round(time.Millisecond))
	pid := providerPID(t, pidFile)

	// Everything is timed from the signal, so a slow build or start-up does
	// not count.
	interrupted := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		elapsed := time.Since(interrupted)
		t.Logf("terraform exited %v after the interrupt (%v)", elapsed.Round(time.Millisecond), err)
		if err == nil {
			t.Errorf("an interrupted plan exited successfully:\n%s", out.String())
		}
		if elapsed > interruptSlack {
			t.Errorf("terraform took %v to stop after the interrupt, want at most %v", elapsed, interruptSlack)
		}
		if !strings.Contains(out.String(), "nterrupt") {
			t.Errorf("no interrupt message in the output:\n%s", out.String())
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("terraform did not stop within a minute of the interrupt:\n%s", out.String())
	}
	gone := waitForExit(pid, interruptSlack)
	if gone.IsZero() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the provider process %d still runs %v after Terraform exited", pid, interruptSlack)
	}
	t.Logf("the provider process was gone %v after the interrupt", gone.Sub(interrupted).Round(time.Millisecond))
}

// providerPID reads the process id the start script recorded.
func providerPID(t *testing.T, pidFile string) int {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the provider was not started through the script: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		t.Fatalf("bad provider pid %q", b)
	}
	return pid
}

// waitForExit polls until process pid has exited and returns when it saw
// that, or the zero time after wait. A zombie (exited, not yet reaped by
// whoever inherited it) counts as exited.
func waitForExit(pid int, wait time.Duration) time.Time {
	deadline := time.Now().Add(wait)
	for {
		if exited(pid) {
			return time.Now()
		}
		if time.Now().After(deadline) {
			return time.Time{}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func exited(pid int) bool {
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// "pid (comm) state ...": the state follows the last ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
