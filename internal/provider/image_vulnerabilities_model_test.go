package provider

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

func TestCodeName_vulnerabilityStatuses(t *testing.T) {
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
		if got := codeName(vulStatuses, tc.code); !got.Equal(tc.want) {
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

// The status vocabulary is the documented one: unfixed is the service's 1,
// fixing 4, fixed 7, in that order; other names have no code.
func TestCodeOf_vulnerabilityStatuses(t *testing.T) {
	want := map[string]int64{"unfixed": 1, "fixing": 4, "fixed": 7}
	if got := namesOf(vulStatuses); !slices.Equal(got, []string{"unfixed", "fixing", "fixed"}) {
		t.Errorf("status names %v", got)
	}
	for name, code := range want {
		if got, ok := codeOf(vulStatuses, name); !ok || got != code {
			t.Errorf("code of %s = %d, %v; want %d", name, got, ok, code)
		}
		if got := codeName(vulStatuses, sasapi.Int{Value: code, Valid: true}); got.ValueString() != name {
			t.Errorf("name of %d = %s, want %s", code, got, name)
		}
	}
	for _, name := range []string{"", "1", "Unfixed", "open"} {
		if code, ok := codeOf(vulStatuses, name); ok {
			t.Errorf("%q has code %d, want none", name, code)
		}
	}
}

// summaryValues is the summary as attribute name → value.
func summaryValues(s types.Object) map[string]attr.Value { return s.Attributes() }

// summariseVulnerabilities is the summary of rows read with or without
// with_cve_details.
func summariseVulnerabilities(rows []vulnerabilityModel, withDetails bool) types.Object {
	return vulSummary.of(rows, func(argument string) bool { return argument == "with_cve_details" && withDetails })
}

// vulSummaryDetailCounts are the counts that are null unless with_cve_details.
var vulSummaryDetailCounts = []string{"serious", "high", "medium", "low", "unknown_severity"}

// expectedVulSummary is a summary of rows rows where every count is zero
// but those of adds; the detail counts are null without details.
func expectedVulSummary(rows int, adds map[string]int64, withDetails bool, maxScore types.Float64) map[string]attr.Value {
	want := map[string]attr.Value{}
	for _, name := range []string{"vulnerabilities", "images", "asap", "later", "nntf", "fixable", "asap_fixable", "unfixed"} {
		want[name] = types.Int64Value(adds[name])
	}
	want["vulnerabilities"] = types.Int64Value(int64(rows))
	for _, name := range vulSummaryDetailCounts {
		want[name] = types.Int64Null()
		if withDetails {
			want[name] = types.Int64Value(adds[name])
		}
	}
	want["max_cvss_score"] = types.Float64Null()
	if withDetails {
		want["max_cvss_score"] = maxScore
	}
	return want
}

// vulRow is a row that adds to no count but `images` (and, with details,
// `unknown_severity`) until a case changes it.
func vulRow(change func(*vulnerabilityModel)) vulnerabilityModel {
	v := vulnerabilityModel{
		ImageUUID: types.StringValue("u-1"), Necessity: types.StringNull(), Status: types.StringValue("fixed"),
		CanFix: types.BoolValue(false), Severity: types.StringNull(), MaxCVSSScore: types.Float64Null(),
	}
	if change != nil {
		change(&v)
	}
	return v
}

// Each count of summary on a row on either side of its condition, as the
// schema defines it: "rows whose necessity is asap", "... can_fix is true",
// "... status is unfixed", "... severity is serious", and so on.
func TestSummariseVulnerabilities_eachCountOnBothSidesOfItsCondition(t *testing.T) {
	necessity := func(n string) func(*vulnerabilityModel) {
		return func(v *vulnerabilityModel) { v.Necessity = types.StringValue(n) }
	}
	fixable := func(n string) func(*vulnerabilityModel) {
		return func(v *vulnerabilityModel) { v.Necessity = stringOrNull(n); v.CanFix = types.BoolValue(true) }
	}
	severity := func(s string) func(*vulnerabilityModel) {
		return func(v *vulnerabilityModel) { v.Severity = types.StringValue(s) }
	}
	cases := []struct {
		name   string
		change func(*vulnerabilityModel)
		adds   map[string]int64 // besides images 1 and, with details, unknown_severity 1
	}{
		{"nothing to count", nil, nil},
		{"asap, no fix", necessity("asap"), map[string]int64{"asap": 1}},
		{"asap, fixable", fixable("asap"), map[string]int64{"asap": 1, "fixable": 1, "asap_fixable": 1}},
		{"asap, can_fix unknown", func(v *vulnerabilityModel) { v.Necessity = types.StringValue("asap"); v.CanFix = types.BoolNull() }, map[string]int64{"asap": 1}},
		{"later", necessity("later"), map[string]int64{"later": 1}},
		{"later, fixable", fixable("later"), map[string]int64{"later": 1, "fixable": 1}},
		{"nntf", necessity("nntf"), map[string]int64{"nntf": 1}},
		{"nntf, fixable", fixable("nntf"), map[string]int64{"nntf": 1, "fixable": 1}},
		{"fixable, necessity unknown", fixable(""), map[string]int64{"fixable": 1}},
		{"another necessity", necessity("ASAP"), nil},
		{"unfixed", func(v *vulnerabilityModel) { v.Status = types.StringValue("unfixed") }, map[string]int64{"unfixed": 1}},
		{"fixing", func(v *vulnerabilityModel) { v.Status = types.StringValue("fixing") }, nil},
		{"status as an unknown code", func(v *vulnerabilityModel) { v.Status = types.StringValue("1") }, nil},
		{"status null", func(v *vulnerabilityModel) { v.Status = types.StringNull() }, nil},
		{"serious", severity("serious"), map[string]int64{"serious": 1, "unknown_severity": -1}},
		{"high", severity("high"), map[string]int64{"high": 1, "unknown_severity": -1}},
		{"medium", severity("medium"), map[string]int64{"medium": 1, "unknown_severity": -1}},
		{"low", severity("low"), map[string]int64{"low": 1, "unknown_severity": -1}},
		{"no image uuid", func(v *vulnerabilityModel) { v.ImageUUID = types.StringNull() }, map[string]int64{"images": -1}},
	}
	for _, tc := range cases {
		for _, withDetails := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/details=%v", tc.name, withDetails), func(t *testing.T) {
				adds := map[string]int64{"images": 1, "unknown_severity": 1}
				for name, n := range tc.adds {
					adds[name] += n
				}
				want := expectedVulSummary(1, adds, withDetails, types.Float64Null())
				got := summaryValues(summariseVulnerabilities([]vulnerabilityModel{vulRow(tc.change)}, withDetails))
				if !maps.EqualFunc(got, want, attr.Value.Equal) {
					t.Errorf("summary = %v, want %v", got, want)
				}
			})
		}
	}
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// Over several rows: images counts distinct uuids, every count adds up,
// and max_cvss_score is the highest score of the rows, null when none has
// one.
func TestSummariseVulnerabilities_severalRows(t *testing.T) {
	score := func(f float64) types.Float64 { return types.Float64Value(f) }
	rows := []vulnerabilityModel{
		vulRow(func(v *vulnerabilityModel) {
			v.Necessity = types.StringValue("asap")
			v.CanFix = types.BoolValue(true)
			v.MaxCVSSScore = score(7.5)
			v.Severity = types.StringValue("high")
		}),
		vulRow(func(v *vulnerabilityModel) {
			v.ImageUUID = types.StringValue("u-2")
			v.MaxCVSSScore = score(9.8)
			v.Severity = types.StringValue("serious")
		}),
		vulRow(func(v *vulnerabilityModel) { v.Status = types.StringValue("unfixed"); v.MaxCVSSScore = score(4.2) }),
		vulRow(func(v *vulnerabilityModel) {
			v.ImageUUID = types.StringValue("u-2")
			v.Necessity = types.StringValue("asap")
		}),
	}
	// By the definitions: two images, two asap rows of which one can be
	// fixed, one unfixed row, one high, one serious, two without severity.
	adds := map[string]int64{"images": 2, "asap": 2, "fixable": 1, "asap_fixable": 1, "unfixed": 1, "high": 1, "serious": 1, "unknown_severity": 2}
	wantMax := score(9.8)
	for _, withDetails := range []bool{false, true} {
		want := expectedVulSummary(len(rows), adds, withDetails, wantMax)
		got := summaryValues(summariseVulnerabilities(rows, withDetails))
		if !maps.EqualFunc(got, want, attr.Value.Equal) {
			t.Errorf("details=%v: summary = %v, want %v", withDetails, got, want)
		}
	}
	for _, withDetails := range []bool{false, true} {
		want := expectedVulSummary(0, nil, withDetails, types.Float64Null())
		if got := summaryValues(summariseVulnerabilities(nil, withDetails)); !maps.EqualFunc(got, want, attr.Value.Equal) {
			t.Errorf("no rows, details=%v: summary = %v, want %v", withDetails, got, want)
		}
	}
}

// higherScore: the higher of two scores whichever comes first; a null
// score does not count, and only two nulls give null.
func TestHigherScore(t *testing.T) {
	null, low, high := types.Float64Null(), types.Float64Value(0), types.Float64Value(6.5)
	cases := []struct{ a, b, want types.Float64 }{
		{null, null, null}, {null, low, low}, {low, null, low}, {null, high, high}, {high, null, high},
		{low, high, high}, {high, low, high}, {high, high, high},
	}
	for _, tc := range cases {
		if got := higherScore(tc.a, tc.b); !got.Equal(tc.want) {
			t.Errorf("higherScore(%s, %s) = %s, want %s", tc.a, tc.b, got, tc.want)
		}
	}
}

// flattenVulnerability: every attribute from its field, status and can_fix
// through their vocabularies; without details the detail attributes are
// null, with details a name's converted details, and a name without any
// an empty cves with null severity and score.
func TestFlattenVulnerability(t *testing.T) {
	str := func(s string) sasapi.String { return sasapi.String{Value: s, Valid: true} }
	ms := func(v int64) sasapi.Int { return sasapi.Int{Value: v, Valid: true} }
	r := sasapi.VulRecord{
		Name: str("debian:10:CVE-2019-9893"), AliasName: str("title"), Related: sasapi.CommaList{Values: []string{"CVE-2019-9893", "CVE-2020-1"}, Valid: true},
		Type: str("cve"), Necessity: str("later"), Status: ms(4), CanFix: str("no"), CanUpdate: sasapi.Bool{Value: true, Valid: true},
		Uuid: str("u-1"), Image: str("repo:1"), ImageDigest: str("abc"), RepoName: str("repo"), RepoNamespace: str("ns"),
		Layers: sasapi.StringList{Values: []string{}, Valid: true}, FirstTs: ms(1000), LastTs: ms(0), ScanTime: ms(-1),
		ExtendContentJson: sasapi.VulExtendContent{Valid: true, Os: str("debian"), RpmEntityList: []sasapi.VulPackage{
			{Name: str("libseccomp2"), Version: str("2.3"), UpdateCmd: str("apt-get install --only-upgrade libseccomp2")},
		}},
	}
	v := flattenVulnerability(&r, nil, false)
	checks := []struct {
		attr      string
		got, want attr.Value
	}{
		{"name", v.Name, types.StringValue("debian:10:CVE-2019-9893")}, {"alias_name", v.AliasName, types.StringValue("title")},
		{"type", v.Type, types.StringValue("cve")}, {"necessity", v.Necessity, types.StringValue("later")},
		{"status", v.Status, types.StringValue("fixing")}, {"can_fix", v.CanFix, types.BoolValue(false)}, {"can_update", v.CanUpdate, types.BoolValue(true)},
		{"image_uuid", v.ImageUUID, types.StringValue("u-1")}, {"image", v.Image, types.StringValue("repo:1")}, {"image_digest", v.ImageDigest, types.StringValue("abc")},
		{"repo_name", v.RepoName, types.StringValue("repo")}, {"repo_namespace", v.RepoNamespace, types.StringValue("ns")},
		{"first_seen_at", v.FirstSeenAt, timetypes.NewRFC3339TimeValue(time.UnixMilli(1000).UTC())},
		{"last_seen_at", v.LastSeenAt, timetypes.NewRFC3339Null()}, {"scanned_at", v.ScannedAt, timetypes.NewRFC3339Null()},
		{"modified_at", v.ModifiedAt, timetypes.NewRFC3339Null()},
		{"os", v.OS, types.StringValue("debian")}, {"os_release", v.OSRelease, types.StringNull()},
		{"severity", v.Severity, types.StringNull()}, {"max_cvss_score", v.MaxCVSSScore, types.Float64Null()},
	}
	for _, c := range checks {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.attr, c.got, c.want)
		}
	}
	if !slices.Equal(v.CVEIDs, r.Related.Values) || v.Layers == nil || len(v.Layers) != 0 || v.CVEs != nil {
		t.Errorf("cve_ids %v, layers %#v, cves %v", v.CVEIDs, v.Layers, v.CVEs)
	}
	wantPkg := vulPackageModel{Name: types.StringValue("libseccomp2"), Version: types.StringValue("2.3"), FullVersion: types.StringNull(), Path: types.StringNull(),
		Layer: types.StringNull(), MatchDetail: types.StringNull(), UpdateCmd: types.StringValue("apt-get install --only-upgrade libseccomp2")}
	if len(v.Packages) != 1 || v.Packages[0] != wantPkg {
		t.Errorf("packages %+v, want [%+v]", v.Packages, wantPkg)
	}

	empty := flattenVulnerability(&sasapi.VulRecord{}, nil, false)
	if !empty.Status.IsNull() || !empty.CanFix.IsNull() || empty.Packages != nil || !empty.OS.IsNull() || empty.CVEIDs != nil || empty.Layers != nil {
		t.Errorf("a row of which nothing was sent: %+v", empty)
	}

	cves := []sasapi.CVE{{CveId: str("CVE-2019-9893"), VulLevel: str("medium"), CvssScore: sasapi.Float{Value: 5.5, Valid: true}}}
	details := map[string]vulNameDetails{r.Name.Value: convertNameDetails(cves)}
	with := flattenVulnerability(&r, details, true)
	if len(with.CVEs) != 1 || with.CVEs[0].CVEID.ValueString() != "CVE-2019-9893" || with.Severity.ValueString() != "medium" || with.MaxCVSSScore.ValueFloat64() != 5.5 {
		t.Errorf("with details: cves %+v, severity %s, score %s", with.CVEs, with.Severity, with.MaxCVSSScore)
	}
	other := r
	other.Name = str("debian:10:CVE-0000-0")
	without := flattenVulnerability(&other, details, true)
	if without.CVEs == nil || len(without.CVEs) != 0 || !without.Severity.IsNull() || !without.MaxCVSSScore.IsNull() {
		t.Errorf("a name without details: cves %#v, severity %s, score %s", without.CVEs, without.Severity, without.MaxCVSSScore)
	}
}

// rfc3339Of: 0 and less are the service's "never" (null), as is an absent
// time; 1 ms is a time (rendered to the second, as every time attribute).
func TestRFC3339Of(t *testing.T) {
	cases := []struct {
		ms   sasapi.Int
		want timetypes.RFC3339
	}{
		{sasapi.Int{}, timetypes.NewRFC3339Null()},
		{sasapi.Int{Value: 0, Valid: true}, timetypes.NewRFC3339Null()},
		{sasapi.Int{Value: -1, Valid: true}, timetypes.NewRFC3339Null()},
		{sasapi.Int{Value: 1, Valid: true}, timetypes.NewRFC3339ValueMust("1970-01-01T00:00:00Z")},
	}
	for _, tc := range cases {
		if got := rfc3339OrNever(tc.ms); !got.Equal(tc.want) {
			t.Errorf("rfc3339OrNever(%+v) = %s, want %s", tc.ms, got, tc.want)
		}
	}
}
