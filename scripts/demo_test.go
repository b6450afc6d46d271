// Package scripts holds the developer scripts; this test keeps `make demo`
// working by running it the way the README says.
package scripts

import (
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
	cmd := exec.Command("bash", "demo.sh")
	cmd.Env = append(os.Environ(), "TF_LOG=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		fmt.Sprintf("gate: payments-api:1.4.3 (%s) passed", fakesas.DemoUUIDPaymentsClean),
		fmt.Sprintf("payments-api:1.4.2 is risky: %v vulnerabilities", demoVulCount(t, fakesas.DemoUUIDPaymentsVulnerable)),
		"gate: blocked, as it should be",
		"riskiest images:",
		"Demo complete",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

// demoVulCount is the VulCount of the demo image with this Uuid.
func demoVulCount(t *testing.T, uuid string) any {
	t.Helper()
	for _, img := range fakesas.DemoImages(time.Now()) {
		if img["Uuid"] == uuid {
			return img["VulCount"]
		}
	}
	t.Fatalf("no demo image %s", uuid)
	return nil
}
