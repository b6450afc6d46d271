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

// NewImageCriteriaDataSource returns the sas_image_criteria data source.
func NewImageCriteriaDataSource() datasource.DataSource {
	return newDataSource(dataSourceSpec[imageCriteriaModel, string, []sasapi.CriteriaEntry]{
		typeName: "image_criteria",
		description: "Lists the search conditions `sas_image_instances` accepts in `criteria` (`DescribeImageCriteria`), " +
			"with the allowed values of the enumerated ones. Use it to discover valid names and to validate variables of your own.",
		idDescription: "The keyword searched for, or `all` without one.",
		attributes: map[string]schema.Attribute{
			"value": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keyword: only the criteria whose values match it are returned (image id, tag, instance id, repository name or id, namespace, region, digest, repository type).",
			},
			"criteria": computedObjects("The criteria, in the service's order.", map[string]schema.Attribute{
				"name":   computedString("Criterion name, usable as `criteria[*].name` of `sas_image_instances`."),
				"type":   computedString("`select` (one of `values`) or `input` (free text)."),
				"values": computedStrings("Allowed values of a `select` criterion (the service's comma-separated list, split); empty for `input`."),
			}),
		},
		request: (*imageCriteriaModel).request,
		read: func(ctx context.Context, r *reader, keyword string) ([]sasapi.CriteriaEntry, error) {
			page, err := sasapi.Call(ctx, r.client, sasapi.DescribeImageCriteria, keyword)
			return page.Items, err
		},
		flatten: func(m *imageCriteriaModel, _ string, entries []sasapi.CriteriaEntry) { m.flatten(entries) },
		id: func(m *imageCriteriaModel) string {
			if v := m.Value.ValueString(); v != "" {
				return v
			}
			return "all"
		},
	})
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

// request is the keyword to search for, "" for every criterion.
func (m *imageCriteriaModel) request(context.Context) (string, diag.Diagnostics) {
	return m.Value.ValueString(), nil
}

// flatten sets the computed attributes from the criteria read.
func (m *imageCriteriaModel) flatten(entries []sasapi.CriteriaEntry) {
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
