package provider

import (
	"fmt"
	"strings"
	"testing"
)

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
