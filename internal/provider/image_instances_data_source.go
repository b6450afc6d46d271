package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// NewImageInstancesDataSource returns the sas_image_instances data source.
func NewImageInstancesDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageInstancesModel, imageInstancesRequest, *sasapi.Listing[sasapi.ImageInstance]]{
		typeName: "image_instances",
		description: "Looks up container images known to Security Center, with their scan state and risk counts " +
			"(`DescribeImageInstances`). Every page is read, so the result is complete; images come in the service's order, " +
			"de-duplicated by `uuid`. Use it to find the image a deployment uses and to gate the deployment on its risk " +
			"with a `postcondition` on `summary` or on the image's attributes.\n\n" +
			"An image that was never successfully scanned has zero counts and `risk_status = \"NO\"`: that means *unknown*, " +
			"not *safe*. Gates should also require `summary.not_scanned == 0` (or `last_scanned_at != null`).",
		attributes: map[string]schema.Attribute{
			"criteria": schema.ListNestedAttribute{
				Optional: true,
				MarkdownDescription: "Search conditions, sent as the API's `Criteria` JSON. Names the service documents: `instanceId`, `repoName`, " +
					"`repoId`, `repoNamespace`, `regionId`, `vulStatus`, `alarmStatus`, `hcStatus`, `riskStatus`, `registryType`, " +
					"`ImageId` (capital I), `tag`, `digest`. The service is the authority on names: the `sas_image_criteria` " +
					"data source lists the live ones, and an unknown name is reported with the service's error.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "Criterion name, such as `repoName` or `tag`.",
							Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"value": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "Value to match. Sent as written: spaces, `/`, `+`, `&`, quotes and unicode are safe.",
						},
					},
				},
			},
			"logical_exp": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "How several criteria combine: `AND` (every criterion matches; the default) or `OR` (any criterion matches).",
				Validators:          []validator.String{stringvalidator.OneOf(sasapi.LogicalAnd, sasapi.LogicalOr)},
			},
			"scanned":     optionalBool("`true`: only images that were scanned; `false`: only images that were not. Unset: both."),
			"page_size":   pageSizeArgument("Images", ", the fewest round trips"),
			"max_results": maxResultsArgument("Stop after this many images (at least 1); only the pages needed are requested. `total_count` still reports every match."),
			"summary_only": optionalBool("When `true`, every page is still read and `summary`, `total_count` and `ids` cover the whole result, but `images` is left empty. " +
				"Use it to gate on whole namespaces without storing thousands of objects in the state. Defaults to `false`."),
			"total_count": computedInt64("The service's `TotalCount` for the query, also when `max_results` cut the list."),
			"ids":         computedStrings("The `uuid` of each returned image, in result order."),
			"images": computedObjects("The images, in the service's order, de-duplicated by `uuid` (first occurrence wins). "+
				"A field the service did not send is null, never a made-up zero.", imageSchemaAttributes()),
			"summary": imageSummary.attribute(),
		},
		listings: inventoryListings,
		request:  (*imageInstancesModel).request,
		read: func(ctx context.Context, r *reader, req imageInstancesRequest) (*sasapi.Listing[sasapi.ImageInstance], error) {
			return list(ctx, r, sasapi.DescribeImageInstances, req.query, req.options)
		},
		flatten: func(m *imageInstancesModel, _ imageInstancesRequest, listing *sasapi.Listing[sasapi.ImageInstance]) {
			m.flatten(listing.Items, listing.TotalCount)
		},
	})
}

type imageInstancesModel struct {
	ID          types.String     `tfsdk:"id"`
	Criteria    []criterionModel `tfsdk:"criteria"`
	LogicalExp  types.String     `tfsdk:"logical_exp"`
	Scanned     types.Bool       `tfsdk:"scanned"`
	PageSize    types.Int64      `tfsdk:"page_size"`
	MaxResults  types.Int64      `tfsdk:"max_results"`
	SummaryOnly types.Bool       `tfsdk:"summary_only"`
	TotalCount  types.Int64      `tfsdk:"total_count"`
	IDs         []types.String   `tfsdk:"ids"`
	Images      []imageModel     `tfsdk:"images"`
	Summary     types.Object     `tfsdk:"summary"`
}

type criterionModel struct {
	Name  types.String `tfsdk:"name"`
	Value types.String `tfsdk:"value"`
}

// imageInstancesRequest is the query and options the arguments ask for.
type imageInstancesRequest struct {
	query   sasapi.ImageQuery
	options sasapi.ListOptions
}

// request turns the arguments into the client's query and options.
func (m *imageInstancesModel) request(context.Context) (imageInstancesRequest, diag.Diagnostics) {
	query := sasapi.ImageQuery{LogicalExp: m.LogicalExp.ValueString()}
	for _, c := range m.Criteria {
		query.Criteria = append(query.Criteria, sasapi.Criterion{Name: c.Name.ValueString(), Value: c.Value.ValueString()})
	}
	if !m.Scanned.IsNull() {
		scanned := m.Scanned.ValueBool()
		query.Scanned = &scanned
	}
	return imageInstancesRequest{query: query, options: sasapi.ListOptions{
		PageSize:   int(m.PageSize.ValueInt64()),
		MaxResults: int(m.MaxResults.ValueInt64()),
	}}, nil
}

// flatten sets the computed attributes from the images read.
func (m *imageInstancesModel) flatten(images []sasapi.ImageInstance, totalCount int) {
	m.TotalCount = types.Int64Value(int64(totalCount))
	m.IDs = make([]types.String, len(images))
	for k := range images {
		m.IDs[k] = stringValue(images[k].Uuid)
	}
	m.Summary = imageSummary.of(images, nil)
	m.Images = []imageModel{}
	if m.SummaryOnly.ValueBool() {
		return
	}
	m.Images = make([]imageModel, len(images))
	for k := range images {
		m.Images[k] = newImageModel(&images[k])
	}
}

// imageSummary is the summary of sas_image_instances, over the images read.
var imageSummary = summaryTable[sasapi.ImageInstance]{
	intro: "Risk counts over every image the read returned (after `max_results`). A deployment gate reads " +
		"`self.summary.risky == 0 && self.summary.not_scanned == 0`.",
	counts: []summaryCount[sasapi.ImageInstance]{
		{name: "images", desc: "Images in the result (all images read, also with `summary_only`).", where: everyRow[sasapi.ImageInstance]},
		{name: "risky", desc: "Images whose `risk_status` is `YES`.", where: isRisky},
		{name: "vulnerable", desc: "Images whose `vul_count` is greater than 0.", where: func(i *sasapi.ImageInstance) bool { return i.VulCount.Value > 0 }},
		{name: "baseline_risks", desc: "Images whose `hc_count` is greater than 0.", where: func(i *sasapi.ImageInstance) bool { return i.HcCount.Value > 0 }},
		{name: "alerting", desc: "Images whose `alarm_count` is greater than 0.", where: func(i *sasapi.ImageInstance) bool { return i.AlarmCount.Value > 0 }},
		{name: "not_scanned", desc: "Images never successfully scanned: `sca_status` is not `SUCCESS` (or absent), or `last_scan_time` is 0 (or absent). " +
			"Their counts and `risk_status` say nothing about their safety, so a gate should require this to be 0.", where: func(i *sasapi.ImageInstance) bool { return !isScanned(i) }},
		{name: "deployed_risky", desc: "Images that are both `deployed` and risky (`risk_status` `YES`).", where: func(i *sasapi.ImageInstance) bool { return i.Deployed.Value && isRisky(i) }},
		{name: "vulnerabilities", desc: "Sum of `vul_count` over the images.", sum: func(i *sasapi.ImageInstance) int64 { return i.VulCount.Value }},
	},
}

func isRisky(i *sasapi.ImageInstance) bool { return i.RiskStatus.Valid && i.RiskStatus.Value == "YES" }

func isScanned(i *sasapi.ImageInstance) bool {
	return i.ScaStatus.Valid && i.ScaStatus.Value == "SUCCESS" && i.LastScanTime.Valid && i.LastScanTime.Value > 0
}
