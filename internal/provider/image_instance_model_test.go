package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// risky, as its description defines it: true for risk_status YES, false
// for NO, and null (unknown, never safe) unless the image is scanned
// (sca_status SUCCESS and last_scan_time > 0) and risk_status is one of
// those two.
func TestRiskyValue_failsClosed(t *testing.T) {
	cases := []struct {
		name  string
		image fakesas.Image // over a scanned image (img)
		want  types.Bool
	}{
		{"scanned, YES", fakesas.Image{"RiskStatus": "YES"}, types.BoolValue(true)},
		{"scanned, NO", fakesas.Image{"RiskStatus": "NO"}, types.BoolValue(false)},
		{"scanned at time 1, NO", fakesas.Image{"RiskStatus": "NO", "LastScanTime": 1}, types.BoolValue(false)},
		{"scanned, risk_status missing", fakesas.Image{"RiskStatus": nil}, types.BoolNull()},
		{"scanned, risk_status empty", fakesas.Image{"RiskStatus": ""}, types.BoolNull()},
		{"scanned, risk_status lower case", fakesas.Image{"RiskStatus": "no"}, types.BoolNull()},
		{"scanned, undocumented risk_status", fakesas.Image{"RiskStatus": "UNKNOWN"}, types.BoolNull()},
		{"never scanned, NO", fakesas.Image{"RiskStatus": "NO", "ScaStatus": "INIT", "LastScanTime": 0}, types.BoolNull()},
		{"scan running, NO", fakesas.Image{"RiskStatus": "NO", "ScaStatus": "CVE_ANALYZER"}, types.BoolNull()},
		{"scan failed, NO", fakesas.Image{"RiskStatus": "NO", "ScaStatus": "FAILED"}, types.BoolNull()},
		{"SUCCESS without a scan time, NO", fakesas.Image{"RiskStatus": "NO", "LastScanTime": nil}, types.BoolNull()},
		{"SUCCESS at scan time 0, NO", fakesas.Image{"RiskStatus": "NO", "LastScanTime": 0}, types.BoolNull()},
		{"scan status missing, NO", fakesas.Image{"RiskStatus": "NO", "ScaStatus": nil}, types.BoolNull()},
		{"never scanned, YES", fakesas.Image{"RiskStatus": "YES", "ScaStatus": "INIT", "LastScanTime": 0}, types.BoolNull()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			i := decodedImages(t, []fakesas.Image{img("u", "app", "1", tc.image)})[0]
			if got := riskyValue(&i); !got.Equal(tc.want) {
				t.Errorf("risky = %v, want %v", got, tc.want)
			}
		})
	}
	// A risk_status the service did not send reads as unknown, whatever
	// its zero value holds.
	unsent := decodedImages(t, []fakesas.Image{img("u", "app", "1")})[0]
	unsent.RiskStatus = sasapi.String{Value: "NO"}
	if got := riskyValue(&unsent); !got.IsNull() {
		t.Errorf("risky of an unsent risk_status = %v, want null", got)
	}
}

// flatten sets the lookup's own attributes from the image.
func TestImageInstanceFlatten_setsTheLookupsAttributes(t *testing.T) {
	digest := sha256Hex("flatten")
	i := decodedImages(t, []fakesas.Image{img("u-1", "app", "1", fakesas.Image{"Digest": digest, "RiskStatus": "YES"})})[0]
	var m imageInstanceModel
	m.flatten(&i)
	if !m.ID.Equal(types.StringValue("u-1")) || !m.ImageReference.Equal(types.StringValue("prod/app@sha256:"+digest)) ||
		!m.Scanned.Equal(types.BoolValue(true)) || !m.Risky.Equal(types.BoolValue(true)) || !m.Digest.Equal(types.StringValue(digest)) {
		t.Errorf("id %v, image_reference %v, scanned %v, risky %v, digest %v; want u-1, the pinned reference, true, true, the digest",
			m.ID, m.ImageReference, m.Scanned, m.Risky, m.Digest)
	}
	unscanned := decodedImages(t, []fakesas.Image{img("u-2", "app", "1", fakesas.Image{"ScaStatus": "INIT", "LastScanTime": 0})})[0]
	m.flatten(&unscanned)
	if !m.Scanned.Equal(types.BoolValue(false)) || !m.Risky.IsNull() {
		t.Errorf("unscanned image: scanned %v, risky %v; want false and null", m.Scanned, m.Risky)
	}
}

// registryHost reads the registry as Docker reads a reference: the first
// path segment of the first endpoint when it contains a `.` or a `:` or is
// `localhost` (image_reference's description).
func TestRegistryHost(t *testing.T) {
	cases := []struct {
		name      string
		endpoints []string
		want      string
	}{
		{"host with a dot", []string{"registry.example.com/ns/app:1"}, "registry.example.com"},
		{"host with a port", []string{"harbor:8443/ns/app:1"}, "harbor:8443"},
		{"localhost", []string{"localhost/app:1"}, "localhost"},
		{"localhost with a port", []string{"localhost:5000/app:1"}, "localhost:5000"},
		{"scheme dropped", []string{"http://localhost/app:1"}, "localhost"},
		{"only the first endpoint", []string{"ns/app:1", "registry.example.com/ns/app:1"}, ""},
		{"first segment not a host", []string{"library/app:1"}, ""},
		{"host-like name without a path", []string{"registry.example.com"}, ""},
		{"empty endpoint", []string{""}, ""},
		{"no endpoint", nil, ""},
		{"localhost-like name", []string{"localhost2/app:1"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list := sasapi.StringList{Values: tc.endpoints, Valid: tc.endpoints != nil}
			if got := registryHost(list); got != tc.want {
				t.Errorf("registryHost(%q) = %q, want %q", tc.endpoints, got, tc.want)
			}
		})
	}
}
