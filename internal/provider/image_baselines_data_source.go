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

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
