package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var (
	_ datasource.DataSource              = (*imageCriteriaDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*imageCriteriaDataSource)(nil)
)

// NewImageCriteriaDataSource returns the sas_image_criteria data source.
func NewImageCriteriaDataSource() datasource.DataSource {
	return &imageCriteriaDataSource{}
}

type imageCriteriaDataSource struct {
	data *providerData
}

type imageCriteriaModel struct {
	ID       types.String         `tfsdk:"id"`
	Value    types.String         `tfsdk:"value"`
	Criteria []criteriaEntryModel `tfsdk:"criteria"`
}

type criteriaEntryModel struct {
	Name   types.String `tfsdk:"name"`
	Type   types.String `tfsdk:"type"`
	Values []string     `tfsdk:"values"`
}

func (d *imageCriteriaDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_criteria"
}

func (d *imageCriteriaDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the search conditions `sas_image_instances` accepts in `criteria` (`DescribeImageCriteria`), " +
			"with the allowed values of the enumerated ones. Use it to discover valid names and to validate variables of your own.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The keyword searched for, or `all` without one.",
			},
			"value": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keyword: only the criteria whose values match it are returned (image id, tag, instance id, repository name or id, namespace, region, digest, repository type).",
			},
			"criteria": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The criteria, in the service's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Criterion name, usable as `criteria[*].name` of `sas_image_instances`."},
					"type": schema.StringAttribute{Computed: true, MarkdownDescription: "`select` (one of `values`) or `input` (free text)."},
					"values": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Allowed values of a `select` criterion (the service's comma-separated list, split); empty for `input`."},
				}},
			},
		},
	}
}

func (d *imageCriteriaDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *imageCriteriaDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model imageCriteriaModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}
	out, err := d.data.client.DescribeImageCriteria(ctx, model.Value.ValueString())
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("Reading Security Center image criteria", err))
		return
	}
	model.flatten(out.CriteriaList)
	resp.Diagnostics.Append(setState(ctx, &resp.State, &model)...)
}

// flatten sets the computed attributes from the criteria read.
func (m *imageCriteriaModel) flatten(entries []sasapi.CriteriaEntry) {
	m.ID = types.StringValue("all")
	if v := m.Value.ValueString(); v != "" {
		m.ID = types.StringValue(v)
	}
	m.Criteria = make([]criteriaEntryModel, len(entries))
	for k, c := range entries {
		m.Criteria[k] = criteriaEntryModel{
			Name:   stringValue(c.Name),
			Type:   stringValue(c.Type),
			Values: splitValues(c.Values.Value),
		}
	}
}

// splitValues splits the service's comma-separated list, dropping blanks.
// The result is never nil: an input criterion has an empty list, not null.
func splitValues(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
