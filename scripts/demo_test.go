// Package scripts holds the developer scripts; this test keeps `make demo`
// working by running it the way the README says.
package scripts

import (
	"os"
	"os/exec"
	"strings"
	"testing"
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
		"gate: payments-api:1.4.3 (5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e02) passed",
		"payments-api:1.4.2 is risky: 7 vulnerabilities",
		"gate: blocked, as it should be",
		"riskiest images:",
		"Demo complete",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
