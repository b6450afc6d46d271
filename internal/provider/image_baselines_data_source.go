package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var (
	_ datasource.DataSource              = (*imageBaselinesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*imageBaselinesDataSource)(nil)
)

// NewImageBaselinesDataSource returns the sas_image_baselines data source.
func NewImageBaselinesDataSource() datasource.DataSource {
	return &imageBaselinesDataSource{}
}

type imageBaselinesDataSource struct {
	data *providerData
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

var baselineLevels = []string{sasapi.BaselineLevelHigh, sasapi.BaselineLevelMedium, sasapi.BaselineLevelLow}

// baselineLangs are the languages of names; the first is the default.
var baselineLangs = []string{"en", "zh"}

var imageUUIDPattern = regexp.MustCompile(`^\S+$`)

func (d *imageBaselinesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_baselines"
}

func (d *imageBaselinesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The baseline (configuration) checks one image failed, by level, down to the check item " +
			"(`DescribeImageBaselineCheckResult`, and `DescribeImageBaselineItemList` with `with_items`). Every page is read. " +
			"Use it to gate a deployment on the baseline risks that matter, such as unfixed high-level ones, rather than on `hc_count`.\n\n" +
			"**No baselines is not proof of a clean image**: an image that was never scanned, or a `image_uuid` Security Center " +
			"does not know, has none either. Gate together with the image's scan state from `sas_image_instances` or `sas_image_instance`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier derived from the arguments: the same arguments give the same id.",
			},
			"image_uuid": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The image: its `uuid` from `sas_image_instances` or `sas_image_instance`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.RegexMatches(imageUUIDPattern, "must be an image uuid, without spaces"),
				},
			},
			"risk_levels": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only baselines of these levels: any of `" + strings.Join(baselineLevels, "`, `") +
					"` (sent comma-separated as `RiskLevel`). Unset: every level.",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(baselineLevels...)),
				},
			},
			"baseline_class": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only baselines whose class matches this keyword, such as `ak_leak` " +
					"(sent as `Criteria` with `CriteriaType = BaselineClassAlias`). Conflicts with `baseline_name`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("baseline_name")),
				},
			},
			"baseline_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only baselines whose name matches this keyword " +
					"(sent as `Criteria` with `CriteriaType = BaselineNameAlias`). Conflicts with `baseline_class`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"with_items": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, `items` of each baseline lists its check items, read with one " +
					"`DescribeImageBaselineItemList` listing per baseline, concurrently within the provider's `max_concurrency`. Defaults to `false`.",
			},
			"lang": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Language of names: `en` (the default) or `zh`.",
				Validators:          []validator.String{stringvalidator.OneOf(baselineLangs...)},
			},
			"baselines": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The image's baselines, in the service's order, de-duplicated by `key`. " +
					"A count or time the service did not send is null.",
				NestedObject: schema.NestedAttributeObject{Attributes: baselineAttributes()},
			},
			"summary": baselineSummarySchema(),
		},
	}
}

func baselineAttributes() map[string]schema.Attribute {
	computedString := func(desc string) schema.Attribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	computedInt := func(desc string) schema.Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	computedTime := func(desc string) schema.Attribute {
		return schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: desc}
	}
	return map[string]schema.Attribute{
		"key":               computedString("Baseline key (`BaselineNameKey`)."),
		"name":              computedString("Baseline name, in `lang`."),
		"class":             computedString("Baseline class as the service reports it (`BaselineClassAlias`, documented as the class key, such as `ak_leak`)."),
		"level":             computedString("Baseline level: `high`, `medium` or `low` (lower-cased)."),
		"item_count":        computedInt("Number of check items of the baseline."),
		"high_risk_items":   computedInt("Number of its high-risk check items."),
		"medium_risk_items": computedInt("Number of its medium-risk check items."),
		"low_risk_items":    computedInt("Number of its low-risk check items."),
		"status":            computedString("Baseline status: " + describeStatuses(baselineStatuses)),
		"first_scanned_at":  computedTime("When a scan first checked the baseline (`FirstScanTime`), RFC 3339 in UTC."),
		"last_scanned_at":   computedTime("When a scan last checked the baseline (`LastScanTime`), RFC 3339 in UTC."),
		"items": schema.ListNestedAttribute{
			Computed: true,
			MarkdownDescription: "The baseline's check items, in the service's order, de-duplicated by `key`; " +
				"**null unless `with_items` is `true`**.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"key":        computedString("Check item key (`BaselineItemKey`)."),
				"name":       computedString("Check item name, in `lang`."),
				"class_key":  computedString("Key of the baseline's class (`BaselineClassKey`), such as `ak_leak`."),
				"class_name": computedString("Name of the baseline's class, in `lang`."),
				"status":     computedString("Check item status: " + describeStatuses(baselineItemStatuses)),
				"whitelisted": schema.BoolAttribute{Computed: true,
					MarkdownDescription: "Whether the item is whitelisted (`WhiteList` 1). Whitelisted items still count in the baseline's risk counts and status. " +
						"`false` when the service did not say."},
			}},
		},
	}
}

func (d *imageBaselinesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *imageBaselinesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model imageBaselinesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}
	query, diags := model.query(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	listing, err := d.data.client.ListImageBaselines(ctx, query, sasapi.ListOptions{})
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("Reading the Security Center baselines of image "+query.ImageUuid, err))
		return
	}
	addListingWarnings(&resp.Diagnostics, "Security Center baseline listing may be inconsistent", listing.Warnings)

	var items map[string][]sasapi.BaselineItem
	if model.WithItems.ValueBool() {
		items, diags = d.readItems(ctx, query, listing.Items)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	tflog.Info(ctx, "read Security Center image baselines", map[string]any{
		"image_uuid": query.ImageUuid, "baselines": len(listing.Items), "requests": listing.Requests, "with_items": items != nil,
	})

	model.Baselines = flattenBaselines(listing.Items, items)
	model.Summary = summariseBaselines(model.Baselines)
	model.ID = types.StringValue(model.argumentsID(query))
	resp.Diagnostics.Append(setState(ctx, &resp.State, &model)...)
}

// readItems lists the check items of every baseline that has a key, keyed
// by baseline key.
func (d *imageBaselinesDataSource) readItems(ctx context.Context, query sasapi.ImageBaselineQuery, baselines []sasapi.BaselineResult) (map[string][]sasapi.BaselineItem, diag.Diagnostics) {
	var diags diag.Diagnostics
	keys := make([]string, 0, len(baselines))
	for _, b := range baselines {
		if b.BaselineNameKey.Value == "" {
			diags.AddWarning("Baseline without a key",
				fmt.Sprintf("Security Center sent the baseline %q of image %s without a key, so its check items cannot be listed: its `items` is null.", b.BaselineNameAlias.Value, query.ImageUuid))
			continue
		}
		keys = append(keys, b.BaselineNameKey.Value)
	}
	listings, err := d.data.client.ListImageBaselineItemsPerBaseline(ctx,
		sasapi.ImageBaselineItemQuery{ImageUuid: query.ImageUuid, Lang: query.Lang}, keys, sasapi.ListOptions{})
	if err != nil {
		diags.Append(errorDiagnostic("Reading the Security Center check items of image "+query.ImageUuid, err))
		return nil, diags
	}
	items := make(map[string][]sasapi.BaselineItem, len(keys))
	for k, key := range keys {
		items[key] = listings[k].Items
		addListingWarnings(&diags, "Security Center check item listing may be inconsistent", listings[k].Warnings)
	}
	return items, diags
}

func addListingWarnings(diags *diag.Diagnostics, summary string, warnings []string) {
	for _, w := range warnings {
		diags.AddWarning(summary, w)
	}
}

// query turns the arguments into the client's query.
func (m imageBaselinesModel) query(ctx context.Context) (sasapi.ImageBaselineQuery, diag.Diagnostics) {
	q := sasapi.ImageBaselineQuery{ImageUuid: m.ImageUUID.ValueString(), Lang: baselineLangs[0]}
	if !m.Lang.IsNull() {
		q.Lang = m.Lang.ValueString()
	}
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
	return q, diags
}

// argumentsID hashes the arguments, so equal arguments give equal ids.
func (m imageBaselinesModel) argumentsID(q sasapi.ImageBaselineQuery) string {
	encoded, _ := json.Marshal([]any{q.ImageUuid, q.RiskLevels, q.Criteria, q.CriteriaType, q.Lang, m.WithItems.ValueBool()}) // cannot fail: strings and a bool
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:12])
}

// flattenBaselines converts the results, with the items of each baseline
// when items is not nil.
func flattenBaselines(results []sasapi.BaselineResult, items map[string][]sasapi.BaselineItem) []baselineModel {
	out := make([]baselineModel, len(results))
	for k := range results {
		r := &results[k]
		out[k] = baselineModel{
			Key:             fromAPIString(r.BaselineNameKey),
			Name:            fromAPIString(r.BaselineNameAlias),
			Class:           fromAPIString(r.BaselineClassAlias),
			Level:           baselineLevel(r.BaselineNameLevel),
			ItemCount:       fromAPIInt(r.BaselineItemCount),
			HighRiskItems:   fromAPIInt(r.HighRiskItemCount),
			MediumRiskItems: fromAPIInt(r.MiddleRiskItemCount),
			LowRiskItems:    fromAPIInt(r.LowRiskItemCount),
			Status:          types.StringValue(statusName(baselineStatuses, r.Status)),
			FirstScannedAt:  fromAPIMillis(r.FirstScanTime),
			LastScannedAt:   fromAPIMillis(r.LastScanTime),
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
			Key:         fromAPIString(i.BaselineItemKey),
			Name:        fromAPIString(i.BaselineItemAlias),
			ClassKey:    fromAPIString(i.BaselineClassKey),
			ClassName:   fromAPIString(i.BaselineClassAlias),
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

func fromAPIString(s sasapi.String) types.String {
	if !s.Valid {
		return types.StringNull()
	}
	return types.StringValue(s.Value)
}

func fromAPIInt(i sasapi.Int) types.Int64 {
	if !i.Valid {
		return types.Int64Null()
	}
	return types.Int64Value(i.Value)
}

// fromAPIMillis is a Unix millisecond time as RFC 3339 in UTC; absent or
// not positive is null.
func fromAPIMillis(ms sasapi.Int) timetypes.RFC3339 {
	if !ms.Valid || ms.Value <= 0 {
		return timetypes.NewRFC3339Null()
	}
	return timetypes.NewRFC3339TimeValue(time.UnixMilli(ms.Value).UTC())
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

func baselineSummarySchema() schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(baselineSummaryCounts))
	for _, c := range baselineSummaryCounts {
		attrs[c.name] = schema.Int64Attribute{Computed: true, MarkdownDescription: c.desc}
	}
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "Counts over the returned baselines, after the filters. A count the service did not send adds nothing to a sum. " +
			"With `risk_levels = [\"high\"]`, `unfixed` counts the unfixed high-level baselines.",
		Attributes: attrs,
	}
}

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
