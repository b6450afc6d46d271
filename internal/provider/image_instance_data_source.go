package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ datasource.DataSource                     = (*imageInstanceDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*imageInstanceDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*imageInstanceDataSource)(nil)
)

// NewImageInstanceDataSource returns the sas_image_instance data source.
func NewImageInstanceDataSource() datasource.DataSource {
	return &imageInstanceDataSource{}
}

type imageInstanceDataSource struct {
	data *providerData
}

// imageInstanceModel is the image's attributes at the top level (the
// selectors among them), plus the lookup's own.
type imageInstanceModel struct {
	imageModel
	ID             types.String `tfsdk:"id"`
	MostRecent     types.Bool   `tfsdk:"most_recent"`
	ImageReference types.String `tfsdk:"image_reference"`
	Scanned        types.Bool   `tfsdk:"scanned"`
	Risky          types.Bool   `tfsdk:"risky"`
}

func (d *imageInstanceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_instance"
}

func (d *imageInstanceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := imageSchemaAttributes()
	for _, arg := range lookupArguments {
		attrs[arg.name] = schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: arg.usage + " In the result: " + attrs[arg.name].GetMarkdownDescription(),
			Validators:          []validator.String{arg.validator},
		}
	}
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "The image's `uuid`."}
	attrs["most_recent"] = schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "When several images match, take the most recently updated one instead of failing: the newest `image_update`, " +
			"then the newest `image_create`, then the smallest `uuid` (a time the service did not send counts as the oldest). " +
			"Defaults to `false`. Still fails when nothing matches.",
	}
	attrs["image_reference"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "Digest-pinned reference to deploy: `<registry>/<namespace>/<repository>@sha256:<digest>`. " +
			"The registry is the host of the first of `endpoints` (its first path segment, when that contains a `.` or a `:` " +
			"or is `localhost`, as Docker reads references); without one the reference starts at the namespace. " +
			"A namespace of `N/A` or empty is left out. Null when the service sent no digest or no repository name.",
	}
	attrs["scanned"] = schema.BoolAttribute{
		Computed:            true,
		MarkdownDescription: "`true` when the last scan completed: `sca_status` is `SUCCESS` and `last_scan_time` is greater than 0.",
	}
	attrs["risky"] = schema.BoolAttribute{
		Computed: true,
		MarkdownDescription: "`true` when `risk_status` is `YES`, `false` when it is `NO`; **null when the image is not `scanned`** " +
			"(or `risk_status` is missing): an unscanned image's risk is unknown, not safe. Gate on `risky == false`, which null fails.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up exactly one container image known to Security Center (`DescribeImageInstances`): " +
			"by `digest`, by `image_id`, or by `repo_name` and `tag`, optionally narrowed by `repo_namespace`, `instance_id`, " +
			"`region_id` or `registry_type`. Every attribute of an element of `sas_image_instances.images` is set at the top level, " +
			"plus `image_reference` to pin, `scanned` and `risky`.\n\n" +
			"The lookup fails, instead of returning an empty object, when no image matches or when several do " +
			"(unless `most_recent` is set); use `sas_image_instances` to ask whether an image exists. " +
			"It covers the whole account (the provider's `region` only selects the endpoint) and keeps only images whose " +
			"fields equal the arguments exactly, as the service's criteria may match loosely. It reads one page of up to 100 images. " +
			"There is no lookup by `uuid`: the service documents no criterion for it.",
		Attributes: attrs,
	}
}

func (d *imageInstanceDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{selectorValidator{}}
}

func (d *imageInstanceDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *imageInstanceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model imageInstanceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkSelectors(&model.imageModel)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}

	lookup := newImageLookup(&model)
	page, err := d.data.client.DescribeImageInstances(ctx, lookup.request())
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("Looking up a Security Center image", err))
		return
	}
	image, failure := lookup.choose(page)
	tflog.Info(ctx, "looked up a Security Center image", map[string]any{
		"selector": lookup.describe(), "images_read": len(page.ImageInstanceList), "total_count": page.PageInfo.TotalCount.Value,
		"found": image != nil,
	})
	if failure != nil {
		where := fmt.Sprintf("endpoint %s, provider region %s", d.data.endpoint, d.data.region)
		resp.Diagnostics.Append(lookup.diagnostic(failure, where))
		return
	}
	model.flatten(image)
	resp.Diagnostics.Append(setState(ctx, &resp.State, &model)...)
}

// selectorValidator checks at plan time that exactly one selector is set.
type selectorValidator struct{}

func (selectorValidator) Description(context.Context) string {
	return "exactly one of " + selectorNames + " must be set"
}

func (v selectorValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (selectorValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var model imageInstanceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkSelectors(&model.imageModel)...)
}
