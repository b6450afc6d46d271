package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// The policy's rule over sas_image_vulnerabilities results, on the JSON
// plans real Terraform makes against the fake.
func TestAccPolicyVulnerabilities(t *testing.T) {
	images := fakesas.DemoImages(time.Now())
	fake := startExampleFake(t, images)
	lookup := func(uuid string) string {
		return policyConfig(fmt.Sprintf(`
data "sas_image_vulnerabilities" "release" {
  image_uuids = [%q]
  statuses    = ["unfixed", "fixing"]
}`, uuid))
	}
	var urgent []string
	for _, r := range liveRows(fake, byUUID(t, images, fakesas.DemoUUIDPaymentsVulnerable)) {
		if r["Necessity"] == "asap" && r["CanFix"] == "yes" {
			urgent = append(urgent, fmt.Sprint(r["Name"]))
		}
	}
	if len(urgent) == 0 || len(urgent) > 5 {
		t.Fatalf("the demo's vulnerable release has %d urgent fixable vulnerabilities; the test expects 1 to 5", len(urgent))
	}
	slices.Sort(urgent)

	cases := []struct {
		name    string
		config  string
		verdict expectVerdict
	}{
		{"urgent fixable vulnerabilities are denied, naming them", lookup(fakesas.DemoUUIDPaymentsVulnerable), expectVerdict{deny: []string{
			fmt.Sprintf("data.sas_image_vulnerabilities.release: %d urgent (asap) vulnerabilities have a fix: %s", len(urgent), strings.Join(urgent, ", ")),
		}}},
		{"an image with only fixed vulnerabilities passes", lookup(fakesas.DemoUUIDPaymentsClean), expectVerdict{}},
		{"a read deferred to apply is denied", policyConfig(fmt.Sprintf(`
resource "terraform_data" "build" {
  input = %q
}

data "sas_image_vulnerabilities" "release" {
  image_uuids = ["${terraform_data.build.input}${substr(terraform_data.build.id, 0, 0)}"]
}`, fakesas.DemoUUIDPaymentsClean)), expectVerdict{deny: []string{
			"data.sas_image_vulnerabilities.release: image risk unknown until apply: the data source is read during apply",
		}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			step := resource.TestStep{Config: tc.config}
			step.ConfigPlanChecks.PreApply = append(step.ConfigPlanChecks.PreApply, tc.verdict)
			exampleTest(t, step)
		})
	}
}

// A long list of offenders is cut to five names.
func TestPolicy_vulnerabilityRuleNamesFiveOffenders(t *testing.T) {
	var rows []string
	for k := 7; k >= 1; k-- {
		rows = append(rows, fmt.Sprintf(`{"name": "debian:10:CVE-2024-%d", "necessity": "asap", "can_fix": true}`, k))
	}
	rows = append(rows, `{"name": "debian:10:CVE-2024-8", "necessity": "asap", "can_fix": false}`, `{"name": "debian:10:CVE-2024-9", "necessity": "later", "can_fix": true}`)
	plan := fmt.Appendf(nil, `{"prior_state": {"values": {"root_module": {"resources": [{
  "address": "data.sas_image_vulnerabilities.release", "mode": "data", "type": "sas_image_vulnerabilities",
  "values": {"summary": {"asap_fixable": 7}, "vulnerabilities": [%s]}
}]}}}}`, strings.Join(rows, ","))
	got, err := evaluatePolicy(t.Context(), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := matchMessages("deny", got.deny, []string{
		"data.sas_image_vulnerabilities.release: 7 urgent (asap) vulnerabilities have a fix: debian:10:CVE-2024-1, debian:10:CVE-2024-2, debian:10:CVE-2024-3, debian:10:CVE-2024-4, debian:10:CVE-2024-5 and 2 more",
	}); err != nil {
		t.Fatal(err)
	}
	if len(got.warn) != 0 {
		t.Fatalf("warnings %q", got.warn)
	}
}
