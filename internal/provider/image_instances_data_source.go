package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var (
	_ datasource.DataSource              = (*imageInstancesDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*imageInstancesDataSource)(nil)
)

// NewImageInstancesDataSource returns the sas_image_instances data source.
func NewImageInstancesDataSource() datasource.DataSource {
	return &imageInstancesDataSource{}
}

type imageInstancesDataSource struct {
	data *providerData
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

func (d *imageInstancesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_instances"
}

func (d *imageInstancesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up container images known to Security Center, with their scan state and risk counts " +
			"(`DescribeImageInstances`). Every page is read, so the result is complete; images come in the service's order, " +
			"de-duplicated by `uuid`. Use it to find the image a deployment uses and to gate the deployment on its risk " +
			"with a `postcondition` on `summary` or on the image's attributes.\n\n" +
			"An image that was never successfully scanned has zero counts and `risk_status = \"NO\"`: that means *unknown*, " +
			"not *safe*. Gates should also require `summary.not_scanned == 0` (or `last_scanned_at != null`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier derived from the arguments: the same arguments give the same id.",
			},
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
			"scanned": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "`true`: only images that were scanned; `false`: only images that were not. Unset: both.",
			},
			"page_size": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Images per request, 1 to %d. Defaults to %d, the fewest round trips. When the service serves smaller pages than asked, paging follows the size it serves.", sasapi.MaxPageSize, sasapi.MaxPageSize),
				Validators:          []validator.Int64{int64validator.Between(1, sasapi.MaxPageSize)},
			},
			"max_results": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Stop after this many images (at least 1); only the pages needed are requested. `total_count` still reports every match.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"summary_only": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "When `true`, every page is still read and `summary`, `total_count` and `ids` cover the whole result, but `images` is left empty. Use it to gate on whole namespaces without storing thousands of objects in the state. Defaults to `false`.",
			},
			"total_count": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The service's `TotalCount` for the query, also when `max_results` cut the list.",
			},
			"ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The `uuid` of each returned image, in result order.",
			},
			"images": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The images, in the service's order, de-duplicated by `uuid` (first occurrence wins). A field the service did not send is null, never a made-up zero.",
				NestedObject:        schema.NestedAttributeObject{Attributes: imageSchemaAttributes()},
			},
			"summary": summarySchema(),
		},
	}
}

func (d *imageInstancesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *imageInstancesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model imageInstancesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}

	query, opts := model.request()
	opts.OnPage = func(p sasapi.PageProgress) {
		tflog.Debug(ctx, fmt.Sprintf("DescribeImageInstances page %d of %d: %d images so far (TotalCount %d)", p.Page, p.Pages, p.Items, p.TotalCount),
			map[string]any{"page": p.Page, "pages": p.Pages, "images_so_far": p.Items, "total_count": p.TotalCount})
	}
	listing, err := d.data.client.ListImageInstances(ctx, query, opts)
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("Reading Security Center images", err))
		return
	}
	tflog.Info(ctx, "read Security Center images", map[string]any{
		"images": len(listing.Items), "total_count": listing.TotalCount, "requests": listing.Requests,
		"retries": listing.Retries, "page_size": listing.PageSize, "duplicates": listing.Duplicates,
	})
	for _, w := range listing.Warnings {
		resp.Diagnostics.AddWarning("Security Center image listing may be inconsistent", w)
	}

	model.flatten(listing.Items, listing.TotalCount)
	resp.Diagnostics.Append(setState(ctx, &resp.State, &model)...)
}

// request turns the arguments into the client's query and options.
func (m imageInstancesModel) request() (sasapi.ImageQuery, sasapi.ListOptions) {
	query := sasapi.ImageQuery{LogicalExp: m.LogicalExp.ValueString()}
	for _, c := range m.Criteria {
		query.Criteria = append(query.Criteria, sasapi.Criterion{Name: c.Name.ValueString(), Value: c.Value.ValueString()})
	}
	if !m.Scanned.IsNull() {
		scanned := m.Scanned.ValueBool()
		query.Scanned = &scanned
	}
	return query, sasapi.ListOptions{
		PageSize:   int(m.PageSize.ValueInt64()),
		MaxResults: int(m.MaxResults.ValueInt64()),
	}
}

// flatten sets the computed attributes from the images read.
func (m *imageInstancesModel) flatten(images []sasapi.ImageInstance, totalCount int) {
	m.ID = types.StringValue(m.argumentsID())
	m.TotalCount = types.Int64Value(int64(totalCount))
	m.IDs = make([]types.String, len(images))
	for k := range images {
		m.IDs[k] = stringValue(images[k].Uuid)
	}
	m.Summary = summarise(images)
	m.Images = []imageModel{}
	if m.SummaryOnly.ValueBool() {
		return
	}
	m.Images = make([]imageModel, len(images))
	for k := range images {
		m.Images[k] = newImageModel(&images[k])
	}
}

// argumentsID hashes the arguments, so equal arguments give equal ids.
func (m imageInstancesModel) argumentsID() string {
	type arguments struct {
		Criteria    [][2]string `json:"c"`
		LogicalExp  string      `json:"l"`
		Scanned     *bool       `json:"s"`
		PageSize    int64       `json:"p"`
		MaxResults  int64       `json:"m"`
		SummaryOnly bool        `json:"o"`
	}
	a := arguments{LogicalExp: m.LogicalExp.ValueString(), PageSize: m.PageSize.ValueInt64(), MaxResults: m.MaxResults.ValueInt64(), SummaryOnly: m.SummaryOnly.ValueBool()}
	for _, c := range m.Criteria {
		a.Criteria = append(a.Criteria, [2]string{c.Name.ValueString(), c.Value.ValueString()})
	}
	if !m.Scanned.IsNull() {
		v := m.Scanned.ValueBool()
		a.Scanned = &v
	}
	encoded, _ := json.Marshal(a) // cannot fail: plain strings, numbers and bools
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:12])
}
