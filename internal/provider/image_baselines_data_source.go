package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// NewImageBaselinesDataSource returns the sas_image_baselines data source.
func NewImageBaselinesDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageBaselinesModel, imageBaselinesRequest, baselinesRead]{
		typeName: "image_baselines",
		description: "The baseline (configuration) checks one image failed, by level, down to the check item " +
			"(`DescribeImageBaselineCheckResult`, and `DescribeImageBaselineItemList` with `with_items`). Every page is read. " +
			"Use it to gate a deployment on the baseline risks that matter, such as unfixed high-level ones, rather than on `hc_count`.\n\n" +
			"**No baselines is not proof of a clean image**: an image that was never scanned, or a `image_uuid` Security Center " +
			"does not know, has none either. Gate together with the image's scan state from `sas_image_instances` or `sas_image_instance`.",
		attributes: map[string]schema.Attribute{
			"image_uuid": imageUUIDArgument("The image: its `uuid` from `sas_image_instances` or `sas_image_instance`."),
			"risk_levels": optionalChoices("Only baselines of these levels: any of `"+strings.Join(baselineLevels, "`, `")+
				"` (sent comma-separated as `RiskLevel`). Unset: every level.", baselineLevels),
			"baseline_class": optionalString("Only baselines whose class matches this keyword, such as `ak_leak` "+
				"(sent as `Criteria` with `CriteriaType = BaselineClassAlias`). Conflicts with `baseline_name`.",
				stringvalidator.ConflictsWith(path.MatchRoot("baseline_name"))),
			"baseline_name": optionalString("Only baselines whose name matches this keyword " +
				"(sent as `Criteria` with `CriteriaType = BaselineNameAlias`). Conflicts with `baseline_class`."),
			"with_items": optionalBool("When `true`, `items` of each baseline lists its check items, read with one " +
				"`DescribeImageBaselineItemList` listing per baseline, concurrently within the provider's `max_concurrency`. Defaults to `false`."),
			"lang": langArgument("names"),
			"baselines": computedObjects("The image's baselines, in the service's order, de-duplicated by `key`. "+
				"A count or time the service did not send is null.", baselineAttributes()),
			"summary": baselineSummary.attribute(),
		},
		listings: riskListings,
		request:  (*imageBaselinesModel).request,
		read:     readBaselines,
		flatten: func(m *imageBaselinesModel, _ imageBaselinesRequest, res baselinesRead) {
			m.Baselines = flattenBaselines(res.baselines, res.items)
			m.Summary = baselineSummary.of(m.Baselines, nil)
		},
	})
}

type imageBaselinesModel struct {
	ID            types.String    `tfsdk:"id"`
	ImageUUID     types.String    `tfsdk:"image_uuid"`
	RiskLevels    types.Set       `tfsdk:"risk_levels"`
	BaselineClass types.String    `tfsdk:"baseline_class"`
	BaselineName  types.String    `tfsdk:"baseline_name"`
	WithItems     types.Bool      `tfsdk:"with_items"`
	Lang          types.String    `tfsdk:"lang"`
	Baselines     []baselineModel `tfsdk:"baselines"`
	Summary       types.Object    `tfsdk:"summary"`
}

var baselineLevels = []string{sasapi.BaselineLevelHigh, sasapi.BaselineLevelMedium, sasapi.BaselineLevelLow}

func baselineAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"key":               computedString("Baseline key (`BaselineNameKey`)."),
		"name":              computedString("Baseline name, in `lang`."),
		"class":             computedString("Baseline class as the service reports it (`BaselineClassAlias`, documented as the class key, such as `ak_leak`)."),
		"level":             computedString("Baseline level: `high`, `medium` or `low` (lower-cased)."),
		"item_count":        computedInt64("Number of check items of the baseline."),
		"high_risk_items":   computedInt64("Number of its high-risk check items."),
		"medium_risk_items": computedInt64("Number of its medium-risk check items."),
		"low_risk_items":    computedInt64("Number of its low-risk check items."),
		"status":            computedString("Baseline status: " + describeStatuses(baselineStatuses)),
		"first_scanned_at":  computedTime("When a scan first checked the baseline (`FirstScanTime`), RFC 3339 in UTC."),
		"last_scanned_at":   computedTime("When a scan last checked the baseline (`LastScanTime`), RFC 3339 in UTC."),
		"items": computedObjects("The baseline's check items, in the service's order, de-duplicated by `key`; "+
			"**null unless `with_items` is `true`**.", map[string]schema.Attribute{
			"key":        computedString("Check item key (`BaselineItemKey`)."),
			"name":       computedString("Check item name, in `lang`."),
			"class_key":  computedString("Key of the baseline's class (`BaselineClassKey`), such as `ak_leak`."),
			"class_name": computedString("Name of the baseline's class, in `lang`."),
			"status":     computedString("Check item status: " + describeStatuses(baselineItemStatuses)),
			"whitelisted": computedBool("Whether the item is whitelisted (`WhiteList` 1). Whitelisted items still count in the baseline's risk counts and status. " +
				"`false` when the service did not say."),
		}),
	}
}

// imageBaselinesRequest is the query of the arguments, and whether to list
// each baseline's items.
type imageBaselinesRequest struct {
	query     sasapi.ImageBaselineQuery
	withItems bool
}

// request turns the arguments into the client's query.
func (m *imageBaselinesModel) request(ctx context.Context) (imageBaselinesRequest, diag.Diagnostics) {
	q := sasapi.ImageBaselineQuery{ImageUuid: m.ImageUUID.ValueString(), Lang: langOf(m.Lang)}
	var diags diag.Diagnostics
	if !m.RiskLevels.IsNull() {
		diags = m.RiskLevels.ElementsAs(ctx, &q.RiskLevels, false)
		slices.Sort(q.RiskLevels) // a set has no order; the request should not vary
	}
	switch {
	case !m.BaselineClass.IsNull():
		q.Criteria, q.CriteriaType = m.BaselineClass.ValueString(), sasapi.BaselineCriteriaClass
	case !m.BaselineName.IsNull():
		q.Criteria, q.CriteriaType = m.BaselineName.ValueString(), sasapi.BaselineCriteriaName
	}
	return imageBaselinesRequest{query: q, withItems: m.WithItems.ValueBool()}, diags
}

// baselinesRead is what a read found: the baselines and, with with_items,
// the check items of each baseline by its key.
type baselinesRead struct {
	baselines []sasapi.BaselineResult
	items     map[string][]sasapi.BaselineItem
}

func readBaselines(ctx context.Context, r *reader, req imageBaselinesRequest) (baselinesRead, error) {
	listing, err := list(ctx, r, sasapi.DescribeImageBaselineCheckResult, req.query, sasapi.ListOptions{})
	if err != nil {
		return baselinesRead{}, err
	}
	read := baselinesRead{baselines: listing.Items}
	if req.withItems {
		read.items, err = readBaselineItems(ctx, r, req.query, listing.Items)
	}
	return read, err
}

// readBaselineItems lists the check items of every baseline that has a
// key, keyed by baseline key.
func readBaselineItems(ctx context.Context, r *reader, query sasapi.ImageBaselineQuery, baselines []sasapi.BaselineResult) (map[string][]sasapi.BaselineItem, error) {
	var queries []sasapi.ImageBaselineItemQuery
	for _, b := range baselines {
		if b.BaselineNameKey.Value == "" {
			r.warn("Baseline without a key",
				fmt.Sprintf("Security Center sent the baseline %q of image %s without a key, so its check items cannot be listed: its `items` is null.", b.BaselineNameAlias.Value, query.ImageUuid))
			continue
		}
		queries = append(queries, sasapi.ImageBaselineItemQuery{ImageUuid: query.ImageUuid, BaselineNameKey: b.BaselineNameKey.Value, Lang: query.Lang})
	}
	listings, err := listEach(ctx, r, sasapi.DescribeImageBaselineItemList, queries, sasapi.ListOptions{})
	if err != nil {
		return nil, err
	}
	items := make(map[string][]sasapi.BaselineItem, len(queries))
	for k, q := range queries {
		items[q.BaselineNameKey] = listings[k].Items
	}
	return items, nil
}

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
			Level:           lowerValue(r.BaselineNameLevel),
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

// baselineSummary is the summary of sas_image_baselines, over the baselines returned.
var baselineSummary = summaryTable[baselineModel]{
	intro: "Counts over the returned baselines, after the filters. A count the service did not send adds nothing to a sum. " +
		"With `risk_levels = [\"high\"]`, `unfixed` counts the unfixed high-level baselines.",
	counts: []summaryCount[baselineModel]{
		{name: "baselines", desc: "Baselines in `baselines`.", where: everyRow[baselineModel]},
		{name: "unfixed", desc: "Baselines whose `status` is `unfixed`.", where: isUnfixed},
		{name: "high", desc: "Baselines whose `level` is `high`.", where: func(b *baselineModel) bool { return hasLevel(b, sasapi.BaselineLevelHigh) }},
		{name: "medium", desc: "Baselines whose `level` is `medium`.", where: func(b *baselineModel) bool { return hasLevel(b, sasapi.BaselineLevelMedium) }},
		{name: "low", desc: "Baselines whose `level` is `low`.", where: func(b *baselineModel) bool { return hasLevel(b, sasapi.BaselineLevelLow) }},
		{name: "high_risk_items", desc: "Sum of `high_risk_items` over the baselines.", sum: func(b *baselineModel) int64 { return b.HighRiskItems.ValueInt64() }},
		{name: "unfixed_high_risk_items", desc: "Sum of `high_risk_items` over the baselines whose `status` is `unfixed`.", sum: func(b *baselineModel) int64 {
			if !isUnfixed(b) {
				return 0
			}
			return b.HighRiskItems.ValueInt64()
		}},
	},
}

func isUnfixed(b *baselineModel) bool { return b.Status.ValueString() == statusUnfixed }

func hasLevel(b *baselineModel, level string) bool { return b.Level.ValueString() == level }
