package provider

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// sasStr and sasInt are fields the service sent.
func sasStr(s string) sasapi.String { return sasapi.String{Value: s, Valid: true} }
func sasInt(n int64) sasapi.Int     { return sasapi.Int{Value: n, Valid: true} }

// The status codes of the API reference (sas-image-risk-operations.md):
// a baseline result's Status is 0 unfixed, 1 fixed; a check item's 0
// unfixed, 1 fixed, 2 pending verification, 3 fix failed. Any other code,
// or none, reads as unfixed (the schema's status description).
func TestStatusName_documentedCodesAndFailClosed(t *testing.T) {
	absentButOne := sasapi.Int{Value: 1} // not sent: the zero Valid wins over the value
	cases := []struct {
		table string
		codes []statusCode
		code  sasapi.Int
		want  string
	}{
		{"baseline", baselineStatuses, sasInt(0), "unfixed"},
		{"baseline", baselineStatuses, sasInt(1), "fixed"},
		{"baseline", baselineStatuses, sasInt(2), "unfixed"},
		{"baseline", baselineStatuses, sasInt(3), "unfixed"},
		{"baseline", baselineStatuses, sasInt(-1), "unfixed"},
		{"baseline", baselineStatuses, sasapi.Int{}, "unfixed"},
		{"baseline", baselineStatuses, absentButOne, "unfixed"},
		{"item", baselineItemStatuses, sasInt(0), "unfixed"},
		{"item", baselineItemStatuses, sasInt(1), "fixed"},
		{"item", baselineItemStatuses, sasInt(2), "pending_verification"},
		{"item", baselineItemStatuses, sasInt(3), "fix_failed"},
		{"item", baselineItemStatuses, sasInt(4), "unfixed"},
		{"item", baselineItemStatuses, sasInt(-1), "unfixed"},
		{"item", baselineItemStatuses, sasapi.Int{}, "unfixed"},
		{"item", baselineItemStatuses, absentButOne, "unfixed"},
	}
	for _, tc := range cases {
		if got := statusName(tc.codes, tc.code); got != tc.want {
			t.Errorf("%s status of code %+v = %q, want %q", tc.table, tc.code, got, tc.want)
		}
	}
}

// The status descriptions document every code and the fail-closed rule.
func TestDescribeStatuses_listsEveryCode(t *testing.T) {
	got := describeStatuses(baselineItemStatuses)
	for _, want := range []string{"`unfixed` (code 0)", "`fixed` (code 1)", "`pending_verification` (code 2)", "`fix_failed` (code 3)", "reads as `unfixed`"} {
		if !strings.Contains(got, want) {
			t.Errorf("description %q lacks %q", got, want)
		}
	}
}

// level is `high`, `medium` or `low` lower-cased; not sent is null.
func TestLowerValue(t *testing.T) {
	cases := []struct {
		level sasapi.String
		want  types.String
	}{
		{sasStr("high"), types.StringValue("high")},
		{sasStr("High"), types.StringValue("high")},
		{sasStr(" MEDIUM "), types.StringValue("medium")},
		{sasStr("low"), types.StringValue("low")},
		{sasStr(""), types.StringValue("")},
		{sasapi.String{}, types.StringNull()},
		{sasapi.String{Value: "high"}, types.StringNull()},
	}
	for _, tc := range cases {
		if got := lowerValue(tc.level); !got.Equal(tc.want) {
			t.Errorf("level of %+v = %v, want %v", tc.level, got, tc.want)
		}
	}
}

// A field not sent is null; a time is RFC 3339 in UTC, and 0 or less
// (never) is null.
func TestFromAPIValues(t *testing.T) {
	if got := stringValue(sasStr("k")); !got.Equal(types.StringValue("k")) {
		t.Errorf("stringValue(k) = %v", got)
	}
	if got := stringValue(sasapi.String{Value: "k"}); !got.IsNull() {
		t.Errorf("stringValue(not sent) = %v, want null", got)
	}
	if got := int64Value(sasInt(0)); !got.Equal(types.Int64Value(0)) {
		t.Errorf("int64Value(0) = %v, want 0", got)
	}
	if got := int64Value(sasapi.Int{Value: 3}); !got.IsNull() {
		t.Errorf("int64Value(not sent) = %v, want null", got)
	}
	at := time.Date(2025, 11, 24, 16, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, tc := range []struct {
		ms   sasapi.Int
		want timetypes.RFC3339
	}{
		{sasInt(at.UnixMilli()), timetypes.NewRFC3339ValueMust("2025-11-24T08:00:00Z")},
		{sasInt(1000), timetypes.NewRFC3339ValueMust("1970-01-01T00:00:01Z")},
		{sasInt(1), timetypes.NewRFC3339ValueMust("1970-01-01T00:00:00Z")},
		{sasInt(0), timetypes.NewRFC3339Null()},
		{sasInt(-1), timetypes.NewRFC3339Null()},
		{sasapi.Int{Value: at.UnixMilli()}, timetypes.NewRFC3339Null()},
	} {
		if got := rfc3339OrNever(tc.ms); !got.Equal(tc.want) {
			t.Errorf("rfc3339OrNever(%+v) = %v, want %v", tc.ms, got, tc.want)
		}
	}
}

// Every attribute of a baseline and of a check item comes from its own
// API field; items are attached by baseline key.
func TestFlattenBaselines_mapsEveryField(t *testing.T) {
	first, last := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	results := []sasapi.BaselineResult{{
		BaselineNameKey: sasStr("hc_ak"), BaselineNameAlias: sasStr("AccessKey leak"), BaselineClassAlias: sasStr("ak_leak"),
		BaselineNameLevel: sasStr("medium"), BaselineItemCount: sasInt(9), HighRiskItemCount: sasInt(4),
		MiddleRiskItemCount: sasInt(3), LowRiskItemCount: sasInt(2), Status: sasInt(sasapi.BaselineStatusFixed),
		FirstScanTime: sasInt(first.UnixMilli()), LastScanTime: sasInt(last.UnixMilli()),
	}, {BaselineNameKey: sasStr("other")}}
	items := map[string][]sasapi.BaselineItem{
		"hc_ak": {{
			BaselineItemKey: sasStr("item_1"), BaselineItemAlias: sasStr("No key in env"), BaselineClassKey: sasStr("ak_leak"),
			BaselineClassAlias: sasStr("AK leak"), Status: sasInt(sasapi.BaselineItemStatusFixFailed), WhiteList: sasInt(1),
		}, {WhiteList: sasInt(0)}},
		"absent": {{}},
	}
	got := flattenBaselines(results, items)
	want := baselineModel{
		Key: types.StringValue("hc_ak"), Name: types.StringValue("AccessKey leak"), Class: types.StringValue("ak_leak"),
		Level: types.StringValue("medium"), ItemCount: types.Int64Value(9), HighRiskItems: types.Int64Value(4),
		MediumRiskItems: types.Int64Value(3), LowRiskItems: types.Int64Value(2), Status: types.StringValue("fixed"),
		FirstScannedAt: timetypes.NewRFC3339TimeValue(first), LastScannedAt: timetypes.NewRFC3339TimeValue(last),
		Items: []baselineItemModel{{
			Key: types.StringValue("item_1"), Name: types.StringValue("No key in env"), ClassKey: types.StringValue("ak_leak"),
			ClassName: types.StringValue("AK leak"), Status: types.StringValue("fix_failed"), Whitelisted: types.BoolValue(true),
		}, {
			Key: types.StringNull(), Name: types.StringNull(), ClassKey: types.StringNull(), ClassName: types.StringNull(),
			Status: types.StringValue("unfixed"), Whitelisted: types.BoolValue(false),
		}},
	}
	if len(got) != 2 {
		t.Fatalf("%d baselines, want 2", len(got))
	}
	if !equalBaselines(got[0], want) {
		t.Errorf("baseline\n got %+v\nwant %+v", got[0], want)
	}
	if got[1].Items != nil {
		t.Errorf("a baseline whose items were not listed has items %v, want null", got[1].Items)
	}
	if got := flattenBaselineItems(nil); got == nil || len(got) != 0 {
		t.Errorf("no items listed: %v, want an empty, non-null list", got)
	}
}

func equalBaselines(a, b baselineModel) bool {
	return a.Key.Equal(b.Key) && a.Name.Equal(b.Name) && a.Class.Equal(b.Class) && a.Level.Equal(b.Level) &&
		a.ItemCount.Equal(b.ItemCount) && a.HighRiskItems.Equal(b.HighRiskItems) && a.MediumRiskItems.Equal(b.MediumRiskItems) &&
		a.LowRiskItems.Equal(b.LowRiskItems) && a.Status.Equal(b.Status) && a.FirstScannedAt.Equal(b.FirstScannedAt) &&
		a.LastScannedAt.Equal(b.LastScannedAt) && slices.EqualFunc(a.Items, b.Items, func(x, y baselineItemModel) bool {
		return x.Key.Equal(y.Key) && x.Name.Equal(y.Name) && x.ClassKey.Equal(y.ClassKey) && x.ClassName.Equal(y.ClassName) &&
			x.Status.Equal(y.Status) && x.Whitelisted.Equal(y.Whitelisted)
	})
}

// baselineSummaryOf is summary over baselines as the data source computes it.
func baselineSummaryOf(t *testing.T, results []sasapi.BaselineResult) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for name, v := range baselineSummary.of(flattenBaselines(results, nil), nil).Attributes() {
		n, ok := v.(types.Int64)
		if !ok || n.IsNull() || n.IsUnknown() {
			t.Fatalf("summary.%s = %v, want a known number", name, v)
		}
		out[name] = n.ValueInt64()
	}
	return out
}

// Each count on baselines on either side of its condition, as the count
// descriptions define them. A baseline adds to no count but `baselines`
// unless the case says so.
func TestBaselineSummary_eachCountOnBothSidesOfItsCondition(t *testing.T) {
	fixed, unfixed := sasInt(sasapi.BaselineStatusFixed), sasInt(sasapi.BaselineStatusUnfixed)
	cases := []struct {
		name     string
		baseline sasapi.BaselineResult
		adds     map[string]int64
	}{
		{"fixed, no level, no counts", sasapi.BaselineResult{Status: fixed}, nil},
		{"unfixed", sasapi.BaselineResult{Status: unfixed}, map[string]int64{"unfixed": 1}},
		{"status not sent reads as unfixed", sasapi.BaselineResult{}, map[string]int64{"unfixed": 1}},
		{"undocumented status reads as unfixed", sasapi.BaselineResult{Status: sasInt(5)}, map[string]int64{"unfixed": 1}},
		{"high", sasapi.BaselineResult{Status: fixed, BaselineNameLevel: sasStr("high")}, map[string]int64{"high": 1}},
		{"High in another case", sasapi.BaselineResult{Status: fixed, BaselineNameLevel: sasStr("HIGH")}, map[string]int64{"high": 1}},
		{"medium", sasapi.BaselineResult{Status: fixed, BaselineNameLevel: sasStr("medium")}, map[string]int64{"medium": 1}},
		{"low", sasapi.BaselineResult{Status: fixed, BaselineNameLevel: sasStr("low")}, map[string]int64{"low": 1}},
		{"undocumented level", sasapi.BaselineResult{Status: fixed, BaselineNameLevel: sasStr("critical")}, nil},
		{"fixed with high-risk items", sasapi.BaselineResult{Status: fixed, HighRiskItemCount: sasInt(3)}, map[string]int64{"high_risk_items": 3}},
		{"unfixed with high-risk items", sasapi.BaselineResult{Status: unfixed, HighRiskItemCount: sasInt(3)},
			map[string]int64{"unfixed": 1, "high_risk_items": 3, "unfixed_high_risk_items": 3}},
		{"unfixed with one high-risk item", sasapi.BaselineResult{Status: unfixed, HighRiskItemCount: sasInt(1)},
			map[string]int64{"unfixed": 1, "high_risk_items": 1, "unfixed_high_risk_items": 1}},
		{"unfixed with a negative count", sasapi.BaselineResult{Status: unfixed, HighRiskItemCount: sasInt(-2)}, map[string]int64{"unfixed": 1}},
		{"medium and low items are not high-risk", sasapi.BaselineResult{Status: unfixed, MiddleRiskItemCount: sasInt(5), LowRiskItemCount: sasInt(4)},
			map[string]int64{"unfixed": 1}},
		{"unfixed high-level baseline", sasapi.BaselineResult{Status: unfixed, BaselineNameLevel: sasStr("high"), HighRiskItemCount: sasInt(2)},
			map[string]int64{"unfixed": 1, "high": 1, "high_risk_items": 2, "unfixed_high_risk_items": 2}},
	}
	names := slices.Sorted(maps.Keys(baselineSummary.attrTypes()))
	all := map[string]int64{}
	var results []sasapi.BaselineResult
	for _, tc := range cases {
		want := map[string]int64{}
		for _, name := range names {
			want[name] = tc.adds[name]
		}
		want["baselines"] = 1
		if got := baselineSummaryOf(t, []sasapi.BaselineResult{tc.baseline}); !maps.Equal(got, want) {
			t.Errorf("%s: summary = %v, want %v", tc.name, got, want)
		}
		for name, n := range want {
			all[name] += n
		}
		results = append(results, tc.baseline)
	}
	// Over all the cases at once, each count is the sum of the cases'.
	if got := baselineSummaryOf(t, results); !maps.Equal(got, all) {
		t.Errorf("all cases: summary = %v, want %v", got, all)
	}
	zero := map[string]int64{}
	for _, name := range names {
		zero[name] = 0
	}
	if got := baselineSummaryOf(t, nil); !maps.Equal(got, zero) {
		t.Errorf("no baselines: summary = %v, want every count 0", got)
	}
}
