package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The baselines' model and its conversion from the API: status and level
// mappings, flatten functions and the summary counts of
// sas_image_baselines. No Terraform plumbing, so gremlins tests it.

type baselineModel struct {
	Key             types.String        `tfsdk:"key"`
	Name            types.String        `tfsdk:"name"`
	Class           types.String        `tfsdk:"class"`
	Level           types.String        `tfsdk:"level"`
	ItemCount       types.Int64         `tfsdk:"item_count"`
	HighRiskItems   types.Int64         `tfsdk:"high_risk_items"`
	MediumRiskItems types.Int64         `tfsdk:"medium_risk_items"`
	LowRiskItems    types.Int64         `tfsdk:"low_risk_items"`
	Status          types.String        `tfsdk:"status"`
	FirstScannedAt  timetypes.RFC3339   `tfsdk:"first_scanned_at"`
	LastScannedAt   timetypes.RFC3339   `tfsdk:"last_scanned_at"`
	Items           []baselineItemModel `tfsdk:"items"` // nil (null) unless listed
}

type baselineItemModel struct {
	Key         types.String `tfsdk:"key"`
	Name        types.String `tfsdk:"name"`
	ClassKey    types.String `tfsdk:"class_key"`
	ClassName   types.String `tfsdk:"class_name"`
	Status      types.String `tfsdk:"status"`
	Whitelisted types.Bool   `tfsdk:"whitelisted"`
}

// Values of `status`. A code the service did not send, or one it does not
// document, reads as unfixed: a gate must never take it for fixed.
const (
	statusUnfixed = "unfixed"
	statusFixed   = "fixed"
)

// statusCode is one documented status code and what `status` says for it.
type statusCode struct {
	code int64
	name string
}

var (
	baselineStatuses = []statusCode{
		{sasapi.BaselineStatusUnfixed, statusUnfixed},
		{sasapi.BaselineStatusFixed, statusFixed},
	}
	baselineItemStatuses = []statusCode{
		{sasapi.BaselineItemStatusUnfixed, statusUnfixed},
		{sasapi.BaselineItemStatusFixed, statusFixed},
		{sasapi.BaselineItemStatusPendingVerification, "pending_verification"},
		{sasapi.BaselineItemStatusFixFailed, "fix_failed"},
	}
)

// statusName is the `status` of a code.
func statusName(codes []statusCode, code sasapi.Int) string {
	for _, c := range codes {
		if code.Valid && code.Value == c.code {
			return c.name
		}
	}
	return statusUnfixed
}

// describeStatuses documents a status table.
func describeStatuses(codes []statusCode) string {
	parts := make([]string, len(codes))
	for k, c := range codes {
		parts[k] = fmt.Sprintf("`%s` (code %d)", c.name, c.code)
	}
	return strings.Join(parts, ", ") + ". A missing or undocumented code reads as `" + statusUnfixed + "`, so a gate fails closed."
}

// flattenBaselines converts the results, with the items of each baseline
// when items is not nil.
func flattenBaselines(results []sasapi.BaselineResult, items map[string][]sasapi.BaselineItem) []baselineModel {
	out := make([]baselineModel, len(results))
	for k := range results {
		r := &results[k]
		out[k] = baselineModel{
			Key:             stringValue(r.BaselineNameKey),
			Name:            stringValue(r.BaselineNameAlias),
			Class:           stringValue(r.BaselineClassAlias),
			Level:           baselineLevel(r.BaselineNameLevel),
			ItemCount:       int64Value(r.BaselineItemCount),
			HighRiskItems:   int64Value(r.HighRiskItemCount),
			MediumRiskItems: int64Value(r.MiddleRiskItemCount),
			LowRiskItems:    int64Value(r.LowRiskItemCount),
			Status:          types.StringValue(statusName(baselineStatuses, r.Status)),
			FirstScannedAt:  rfc3339OrNever(r.FirstScanTime),
			LastScannedAt:   rfc3339OrNever(r.LastScanTime),
		}
		if list, ok := items[r.BaselineNameKey.Value]; ok {
			out[k].Items = flattenBaselineItems(list)
		}
	}
	return out
}

func flattenBaselineItems(items []sasapi.BaselineItem) []baselineItemModel {
	out := make([]baselineItemModel, len(items))
	for k := range items {
		i := &items[k]
		out[k] = baselineItemModel{
			Key:         stringValue(i.BaselineItemKey),
			Name:        stringValue(i.BaselineItemAlias),
			ClassKey:    stringValue(i.BaselineClassKey),
			ClassName:   stringValue(i.BaselineClassAlias),
			Status:      types.StringValue(statusName(baselineItemStatuses, i.Status)),
			Whitelisted: types.BoolValue(i.Whitelisted().Value),
		}
	}
	return out
}

// baselineLevel lower-cases the level, so that `High` counts as `high`.
func baselineLevel(s sasapi.String) types.String {
	if !s.Valid {
		return types.StringNull()
	}
	return types.StringValue(strings.ToLower(strings.TrimSpace(s.Value)))
}

// baselineSummaryCount is one count of `summary`: its definition is both
// the documentation and the code.
type baselineSummaryCount struct {
	name string
	desc string
	// add returns how much one baseline adds to the count.
	add func(*baselineModel) int64
}

var baselineSummaryCounts = []baselineSummaryCount{
	{"baselines", "Baselines in `baselines`.", func(*baselineModel) int64 { return 1 }},
	{"unfixed", "Baselines whose `status` is `unfixed`.", func(b *baselineModel) int64 { return b2i(isUnfixed(b)) }},
	{"high", "Baselines whose `level` is `high`.", func(b *baselineModel) int64 { return b2i(hasLevel(b, sasapi.BaselineLevelHigh)) }},
	{"medium", "Baselines whose `level` is `medium`.", func(b *baselineModel) int64 { return b2i(hasLevel(b, sasapi.BaselineLevelMedium)) }},
	{"low", "Baselines whose `level` is `low`.", func(b *baselineModel) int64 { return b2i(hasLevel(b, sasapi.BaselineLevelLow)) }},
	{"high_risk_items", "Sum of `high_risk_items` over the baselines.", func(b *baselineModel) int64 { return max(b.HighRiskItems.ValueInt64(), 0) }},
	{"unfixed_high_risk_items", "Sum of `high_risk_items` over the baselines whose `status` is `unfixed`.", func(b *baselineModel) int64 {
		if !isUnfixed(b) {
			return 0
		}
		return max(b.HighRiskItems.ValueInt64(), 0)
	}},
}

func isUnfixed(b *baselineModel) bool { return b.Status.ValueString() == statusUnfixed }

func hasLevel(b *baselineModel, level string) bool { return b.Level.ValueString() == level }

var baselineSummaryAttrTypes = func() map[string]attr.Type {
	t := make(map[string]attr.Type, len(baselineSummaryCounts))
	for _, c := range baselineSummaryCounts {
		t[c.name] = types.Int64Type
	}
	return t
}()

// summariseBaselines computes every count in one pass.
func summariseBaselines(baselines []baselineModel) types.Object {
	totals := make([]int64, len(baselineSummaryCounts))
	for k := range baselines {
		for c := range baselineSummaryCounts {
			totals[c] += baselineSummaryCounts[c].add(&baselines[k])
		}
	}
	values := make(map[string]attr.Value, len(baselineSummaryCounts))
	for c, count := range baselineSummaryCounts {
		values[count.name] = types.Int64Value(totals[c])
	}
	return types.ObjectValueMust(baselineSummaryAttrTypes, values)
}
