package provider

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// summaryOf computes summary for wire images, as the data source does.
func summaryOf(t *testing.T, images []fakesas.Image) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for name, v := range imageSummary.of(decodedImages(t, images), nil).Attributes() {
		n, ok := v.(types.Int64)
		if !ok || n.IsNull() || n.IsUnknown() {
			t.Fatalf("summary.%s = %v, want a known number", name, v)
		}
		out[name] = n.ValueInt64()
	}
	return out
}

// Each count on images that sit on either side of its condition. An image
// adds to no count but `images` unless the case says so.
func TestSummary_eachCountOnBothSidesOfItsCondition(t *testing.T) {
	never := fakesas.Image{"ScaStatus": "INIT", "LastScanTime": 0, "ScaProgress": 0}
	risky := fakesas.Image{"RiskStatus": "YES", "VulStatus": "YES", "VulCount": 3}
	cases := []struct {
		name  string
		image fakesas.Image
		adds  map[string]int64
	}{
		{"clean and scanned", img("u", "r", "1"), nil},
		{"vulnerable", img("u", "r", "1", risky), map[string]int64{"risky": 1, "vulnerable": 1, "vulnerabilities": 3}},
		{"vulnerable and deployed", img("u", "r", "1", risky, fakesas.Image{"Deployed": 1}),
			map[string]int64{"risky": 1, "vulnerable": 1, "vulnerabilities": 3, "deployed_risky": 1}},
		{"deployed, not risky", img("u", "r", "1", fakesas.Image{"Deployed": 1}), nil},
		{"risky as a string flag, deployed as \"1\"", img("u", "r", "1", fakesas.Image{"RiskStatus": "YES", "Deployed": "1"}),
			map[string]int64{"risky": 1, "deployed_risky": 1}},
		{"risk_status other than YES", img("u", "r", "1", fakesas.Image{"RiskStatus": "yes", "Deployed": 1}), nil},
		{"baseline risks", img("u", "r", "1", fakesas.Image{"HcCount": 2, "RiskStatus": "YES"}), map[string]int64{"risky": 1, "baseline_risks": 1}},
		{"one baseline risk", img("u", "r", "1", fakesas.Image{"HcCount": 1}), map[string]int64{"baseline_risks": 1}},
		{"alerting", img("u", "r", "1", fakesas.Image{"AlarmCount": 4, "RiskStatus": "YES"}), map[string]int64{"risky": 1, "alerting": 1}},
		{"one alert", img("u", "r", "1", fakesas.Image{"AlarmCount": 1}), map[string]int64{"alerting": 1}},
		{"one vulnerability", img("u", "r", "1", fakesas.Image{"VulCount": "1"}), map[string]int64{"vulnerable": 1, "vulnerabilities": 1}},
		{"negative counts", img("u", "r", "1", fakesas.Image{"VulCount": -2, "HcCount": -1, "AlarmCount": -1}), nil},
		{"counts absent", img("u", "r", "1", fakesas.Image{"VulCount": nil, "HcCount": nil, "AlarmCount": nil, "RiskStatus": nil}), nil},
		{"never scanned", img("u", "r", "1", never), map[string]int64{"not_scanned": 1}},
		{"never scanned, deployed", img("u", "r", "1", never, fakesas.Image{"Deployed": 1}), map[string]int64{"not_scanned": 1}},
		{"scan status absent", img("u", "r", "1", fakesas.Image{"ScaStatus": nil}), map[string]int64{"not_scanned": 1}},
		{"scan in progress", img("u", "r", "1", fakesas.Image{"ScaStatus": "CVE_ANALYZER"}), map[string]int64{"not_scanned": 1}},
		{"partly scanned", img("u", "r", "1", fakesas.Image{"ScaStatus": "PRE_ANALYZER_SUCCESS"}), map[string]int64{"not_scanned": 1}},
		{"SUCCESS without a scan time", img("u", "r", "1", fakesas.Image{"LastScanTime": nil}), map[string]int64{"not_scanned": 1}},
		{"SUCCESS with scan time 0", img("u", "r", "1", fakesas.Image{"LastScanTime": 0}), map[string]int64{"not_scanned": 1}},
		{"SUCCESS with a negative scan time", img("u", "r", "1", fakesas.Image{"LastScanTime": -1}), map[string]int64{"not_scanned": 1}},
		{"SUCCESS with scan time 1", img("u", "r", "1", fakesas.Image{"LastScanTime": 1}), nil},
	}
	names := slices.Sorted(maps.Keys(imageSummary.attrTypes()))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]int64{}
			for _, name := range names {
				want[name] = tc.adds[name]
			}
			want["images"] = 1
			if got := summaryOf(t, []fakesas.Image{tc.image}); !maps.Equal(got, want) {
				t.Errorf("summary = %v, want %v", got, want)
			}
		})
	}
}

// Over whole datasets, every count equals its definition applied to the
// wire records (README and the schema descriptions state the definitions).
func TestSummary_countsOfTheFakesDatasets(t *testing.T) {
	datasets := map[string][]fakesas.Image{
		"generated": fakesas.GenerateImages(3000, 31),
		"demo":      fakesas.DemoImages(time.Now()),
		"none":      nil,
	}
	for name, images := range datasets {
		t.Run(name, func(t *testing.T) {
			want := wireSummary(t, images)
			if got := summaryOf(t, images); !maps.Equal(got, want) {
				t.Errorf("summary = %v, want %v", got, want)
			}
			if name == "generated" {
				for count, n := range want {
					if n == 0 || (count != "images" && n == want["images"]) {
						t.Errorf("%s is %d of %d images: the dataset cannot tell a broken count", count, n, want["images"])
					}
				}
			}
		})
	}
}

// wireSummary is the summary's definitions applied to wire records. It
// must know every count.
func wireSummary(t *testing.T, images []fakesas.Image) map[string]int64 {
	t.Helper()
	s := map[string]int64{}
	for _, img := range images {
		vul, hc, alarm := imageWireInt(t, img, "VulCount"), imageWireInt(t, img, "HcCount"), imageWireInt(t, img, "AlarmCount")
		risky := img["RiskStatus"] == "YES"
		scanned := img["ScaStatus"] == "SUCCESS" && imageWireInt(t, img, "LastScanTime") > 0
		deployed := imageWireInt(t, img, "Deployed") == 1
		s["images"]++
		s["risky"] += b2i(risky)
		s["vulnerable"] += b2i(vul > 0)
		s["baseline_risks"] += b2i(hc > 0)
		s["alerting"] += b2i(alarm > 0)
		s["not_scanned"] += b2i(!scanned)
		s["deployed_risky"] += b2i(deployed && risky)
		s["vulnerabilities"] += max(vul, 0)
	}
	for name := range imageSummary.attrTypes() {
		if _, ok := s[name]; !ok && len(images) > 0 {
			t.Fatalf("wireSummary does not define summary.%s: add it", name)
		}
		s[name] += 0
	}
	return s
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// wireInt reads a wire field that holds an integer in any of the forms the
// fake serves; absent is 0.
func imageWireInt(t *testing.T, img fakesas.Image, field string) int64 {
	t.Helper()
	v, ok := img[field]
	if !ok || v == nil {
		return 0
	}
	n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	if err != nil {
		t.Fatalf("%s = %#v is not an integer", field, v)
	}
	return n
}

// The summary's schema describes each count by its definition, and says
// "Null unless" the argument for the counts that need one, and for no other.
func TestSummaryAttribute_describesEachCount(t *testing.T) {
	attrs := vulSummary.attribute().Attributes
	want := map[string]string{
		"asap":    "Rows whose `necessity` is `asap`.",
		"serious": "Rows whose `severity` is `serious`. Null unless `with_cve_details`.",
	}
	for name, desc := range want {
		if got := attrs[name].GetMarkdownDescription(); got != desc {
			t.Errorf("summary.%s is described %q, want %q", name, got, desc)
		}
	}
	for _, c := range vulSummary.counts {
		if says := strings.Contains(attrs[c.name].GetMarkdownDescription(), "Null unless"); says != (c.onlyWith != "") {
			t.Errorf("summary.%s says Null unless: %v, want %v", c.name, says, c.onlyWith != "")
		}
	}
}
