package provider

import (
	"slices"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

func TestVulStatusName(t *testing.T) {
	cases := []struct {
		code sasapi.Int
		want types.String
	}{
		{sasapi.Int{Value: 1, Valid: true}, types.StringValue("unfixed")},
		{sasapi.Int{Value: 4, Valid: true}, types.StringValue("fixing")},
		{sasapi.Int{Value: 7, Valid: true}, types.StringValue("fixed")},
		{sasapi.Int{Value: 9, Valid: true}, types.StringValue("9")},
		{sasapi.Int{}, types.StringNull()},
	}
	for _, tc := range cases {
		if got := vulStatusName(tc.code); !got.Equal(tc.want) {
			t.Errorf("status %+v = %s, want %s", tc.code, got, tc.want)
		}
	}
}

func TestFlattenCVEs(t *testing.T) {
	cve := func(level string, score string) sasapi.CVE {
		c := sasapi.CVE{CveId: sasapi.String{Value: "CVE-1", Valid: true}}
		if level != "" {
			c.VulLevel = sasapi.String{Value: level, Valid: true}
		}
		if f, err := strconv.ParseFloat(score, 64); err == nil {
			c.CvssScore = sasapi.Float{Value: f, Valid: true}
		}
		return c
	}
	cases := []struct {
		name     string
		cves     []sasapi.CVE
		severity types.String
		score    types.Float64
	}{
		{"no CVE", []sasapi.CVE{}, types.StringNull(), types.Float64Null()},
		{"the most severe level wins", []sasapi.CVE{cve("medium", "5"), cve("serious", "9.1"), cve("high", "7")}, types.StringValue("serious"), types.Float64Value(9.1)},
		{"high over medium and low", []sasapi.CVE{cve("low", "1"), cve("high", "7.2"), cve("medium", "")}, types.StringValue("high"), types.Float64Value(7.2)},
		{"medium over low", []sasapi.CVE{cve("low", "3.3"), cve("medium", "")}, types.StringValue("medium"), types.Float64Value(3.3)},
		{"low alone", []sasapi.CVE{cve("low", "")}, types.StringValue("low"), types.Float64Null()},
		{"an unknown level is not a severity", []sasapi.CVE{cve("critical", "9.9"), cve("", "")}, types.StringNull(), types.Float64Value(9.9)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, severity, score := flattenCVEs(tc.cves)
			if len(out) != len(tc.cves) || out == nil || !severity.Equal(tc.severity) || !score.Equal(tc.score) {
				t.Fatalf("%d CVEs (nil %v), severity %s, score %s; want %d, %s, %s", len(out), out == nil, severity, score, len(tc.cves), tc.severity, tc.score)
			}
		})
	}
}

// Several values of a filter are applied here; a row without the field
// does not match.
func TestKeepFiltersLocally(t *testing.T) {
	row := func(necessity string, status int64) sasapi.VulRecord {
		r := sasapi.VulRecord{Status: sasapi.Int{Value: status, Valid: status != 0}}
		if necessity != "" {
			r.Necessity = sasapi.String{Value: necessity, Valid: true}
		}
		return r
	}
	rows := []sasapi.VulRecord{row("asap", 1), row("later", 4), row("nntf", 7), row("", 1), row("asap", 0), row("later", 1)}
	a := vulArguments{necessities: []string{"asap", "later"}, statuses: []string{"fixing", "unfixed"}, filterLocally: true}
	got := a.keep(slices.Clone(rows))
	if len(got) != 3 || got[0].Necessity.Value != "asap" || got[1].Status.Value != 4 || got[2].Necessity.Value != "later" {
		t.Fatalf("kept %+v", got)
	}
	a.maxResults = 2
	if got := a.keep(slices.Clone(rows)); len(got) != 2 {
		t.Fatalf("max_results 2 kept %d rows", len(got))
	}
}
