package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// NewImageInstanceDataSource returns the sas_image_instance data source.
func NewImageInstanceDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageInstanceModel, imageLookup, *sasapi.ImageInstance]{
		typeName: "image_instance",
		description: "Looks up exactly one container image known to Security Center (`DescribeImageInstances`): " +
			"by `digest`, by `image_id`, or by `repo_name` and `tag`, optionally narrowed by `repo_namespace`, `instance_id`, " +
			"`region_id` or `registry_type`. Every attribute of an element of `sas_image_instances.images` is set at the top level, " +
			"plus `image_reference` to pin, `scanned` and `risky`.\n\n" +
			"The lookup fails, instead of returning an empty object, when no image matches or when several do " +
			"(unless `most_recent` is set); use `sas_image_instances` to ask whether an image exists. " +
			"It covers the whole account (the provider's `region` only selects the endpoint) and keeps only images whose " +
			"fields equal the arguments exactly, as the service's criteria may match loosely. It reads one page of up to 100 images. " +
			"There is no lookup by `uuid`: the service documents no criterion for it.",
		attributes:    imageInstanceAttributes(),
		idDescription: "The image's `uuid`.",
		validators:    []datasource.ConfigValidator{selectorValidator{}},
		listings:      inventoryListings,
		request:       (*imageInstanceModel).request,
		read: func(ctx context.Context, r *reader, lookup imageLookup) (*sasapi.ImageInstance, error) {
			listing, err := list(ctx, r, sasapi.DescribeImageInstances, lookup.query(), lookupOptions)
			if err != nil {
				return nil, err
			}
			where := fmt.Sprintf("endpoint %s, provider region %s", r.data.endpoint, r.data.region)
			return lookup.choose(listing.Items, len(listing.Items)+listing.Duplicates, listing.TotalCount, where)
		},
		flatten: func(m *imageInstanceModel, _ imageLookup, image *sasapi.ImageInstance) { m.flatten(image) },
		id:      func(m *imageInstanceModel) string { return m.UUID.ValueString() },
	})
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

func imageInstanceAttributes() map[string]schema.Attribute {
	attrs := imageSchemaAttributes()
	for _, arg := range lookupArguments {
		attrs[arg.name] = schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: arg.usage + " In the result: " + attrs[arg.name].GetMarkdownDescription(),
			Validators:          []validator.String{arg.validator},
		}
	}
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
	return attrs
}

// request checks the selectors (again, now that every value is known) and
// returns the lookup they ask for.
func (m *imageInstanceModel) request(context.Context) (imageLookup, diag.Diagnostics) {
	diags := checkSelectors(&m.imageModel)
	return newImageLookup(m), diags
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

// flatten sets the image's attributes; the arguments become the values
// found, which equal them (digest and image_id without a sha256: prefix).
func (m *imageInstanceModel) flatten(i *sasapi.ImageInstance) {
	m.imageModel = newImageModel(i)
	m.ID = stringValue(i.Uuid)
	m.ImageReference = imageReference(i)
	m.Scanned = types.BoolValue(isScanned(i))
	m.Risky = riskyValue(i)
}

// riskyValue is null unless the image was scanned and its risk_status is
// YES or NO: unknown risk must never read as safe.
func riskyValue(i *sasapi.ImageInstance) types.Bool {
	if !isScanned(i) || !i.RiskStatus.Valid {
		return types.BoolNull()
	}
	switch i.RiskStatus.Value {
	case "YES":
		return types.BoolValue(true)
	case "NO":
		return types.BoolValue(false)
	}
	return types.BoolNull()
}

// imageReference builds <registry>/<namespace>/<repository>@sha256:<digest>;
// the schema description of image_reference states the rule.
func imageReference(i *sasapi.ImageInstance) types.String {
	// A reference's digest is lower case: registries refuse another.
	digest, ok := sasapi.NormalizeDigest(i.Digest.Value)
	if !ok {
		digest = strings.TrimPrefix(i.Digest.Value, "sha256:")
	}
	if digest == "" || i.RepoName.Value == "" {
		return types.StringNull()
	}
	var parts []string
	if registry := registryHost(i.Endpoints); registry != "" {
		parts = append(parts, registry)
	}
	if ns := i.RepoNamespace.Value; ns != "" && ns != "N/A" {
		parts = append(parts, ns)
	}
	parts = append(parts, i.RepoName.Value)
	return types.StringValue(strings.Join(parts, "/") + "@sha256:" + digest)
}

// registryHost is the registry of the first endpoint, "" when it names none.
func registryHost(endpoints sasapi.StringList) string {
	if len(endpoints.Values) == 0 {
		return ""
	}
	first := endpoints.Values[0]
	if _, rest, ok := strings.Cut(first, "://"); ok {
		first = rest
	}
	host, _, ok := strings.Cut(first, "/")
	if ok && (strings.ContainsAny(host, ".:") || host == "localhost") {
		return host
	}
	return ""
}
