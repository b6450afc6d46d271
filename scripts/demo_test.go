// Package scripts holds the developer scripts; this test keeps `make demo`
// working by running it the way the README says.
package scripts

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func TestDemoRunsAndTheGateBlocksTheVulnerableRelease(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs Terraform: runs under make test (TF_ACC=1)")
	}
	clean, urgentFixable := demoExpectations(t)
	if len(urgentFixable) == 0 {
		t.Fatal("the demo dataset gives payments-api:1.4.2 no urgent fixable vulnerability: the gate would show nothing")
	}
	cmd := exec.Command("bash", "demo.sh")
	cmd.Env = append(os.Environ(), "TF_LOG=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo failed: %v\n%s", err, out)
	}
	want := []string{
		fmt.Sprintf("gate: %s/%s/payments-api@sha256:%s passed", clean["RegistryHost"], clean["RepoNamespace"], clean["Digest"]),
		fmt.Sprintf("payments-api:1.4.2 has %d urgent vulnerabilities with a fix:", len(urgentFixable)),
		"gate: blocked, as it should be",
		"riskiest images:",
		"release vulnerabilities by priority (unfixed):",
		"Demo complete",
	}
	want = append(want, urgentFixable...)
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("demo output lacks %q:\n%s", w, out)
		}
	}
}

// demoExpectations reads what the demo must show from the fake's own demo
// dataset: the clean release's registry, namespace and digest, and the
// names of the vulnerable release's urgent vulnerabilities with a fix.
func demoExpectations(t *testing.T) (clean map[string]string, urgentFixable []string) {
	t.Helper()
	images := fakesas.DemoImages(time.Now())
	fake := fakesas.New(fakesas.Options{Images: images})
	for _, img := range images {
		if img["Uuid"] == fakesas.DemoUUIDPaymentsClean {
			var endpoints []string
			if err := json.Unmarshal([]byte(fmt.Sprint(img["Endpoints"])), &endpoints); err != nil || len(endpoints) == 0 {
				t.Fatalf("demo image Endpoints %v: %v", img["Endpoints"], err)
			}
			endpoint := endpoints[0]
			clean = map[string]string{
				"RegistryHost":  strings.SplitN(endpoint, "/", 2)[0],
				"RepoNamespace": fmt.Sprint(img["RepoNamespace"]),
				"Digest":        fmt.Sprint(img["Digest"]),
			}
		}
	}
	if clean == nil {
		t.Fatal("no clean payments-api image in the demo dataset")
	}
	for _, row := range fake.VulnerabilityRows(fakesas.DemoUUIDPaymentsVulnerable) {
		if fmt.Sprint(row["Necessity"]) == "asap" && fmt.Sprint(row["CanFix"]) == "yes" && fmt.Sprint(row["Status"]) != "7" {
			urgentFixable = append(urgentFixable, fmt.Sprint(row["Name"]))
		}
	}
	return clean, urgentFixable
}
