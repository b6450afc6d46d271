package provider

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// A user pressing Ctrl-C during a read must not wait for the service: the
// provider's in-flight requests abort and Terraform exits promptly. This runs
// the real plugin binary under the real Terraform CLI (through dev_overrides),
// because in-process test providers cannot be interrupted the way users do.
func TestAccInterrupt_ctrlCDuringAReadStopsWithinTwoSeconds(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		t.Skip("needs TF_ACC_TERRAFORM_PATH (make test sets it)")
	}
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	build := exec.Command("go", "build", "-o", filepath.Join(plugins, "terraform-provider-sas"), "../..")
	started := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	t.Logf("built the provider in %v", time.Since(started).Round(time.Millisecond))
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
	time.Sleep(200 * time.Millisecond)
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
		if elapsed > 2*time.Second {
			t.Errorf("terraform took %v to stop after the interrupt, want at most 2s", elapsed)
		}
		if !strings.Contains(out.String(), "nterrupt") {
			t.Errorf("no interrupt message in the output:\n%s", out.String())
		}
		requireNoProcess(t, plugins, 2*time.Second)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("terraform did not stop within 30s of the interrupt:\n%s", out.String())
	}
}

// requireNoProcess fails unless every process started from dir has exited
// within the wait: the provider must not linger on its aborted requests.
func requireNoProcess(t *testing.T, dir string, wait time.Duration) {
	t.Helper()
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Log("pgrep not installed: cannot check that the provider process exited")
		return
	}
	deadline := time.Now().Add(wait)
	for {
		out, _ := exec.Command("pgrep", "-f", dir).Output()
		if len(bytes.TrimSpace(out)) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("provider process(es) %s still running %v after Terraform exited", bytes.TrimSpace(out), wait)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
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
