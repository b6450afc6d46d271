package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The one family of schema helpers of the data sources: computed* for the
// results, the others for the arguments. Each takes the attribute's
// documentation; fromAPI names the API field a result maps one to one.

func fromAPI(field, desc string) string { return desc + " API field `" + field + "`." }

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}

func computedInt64(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
}

func computedFloat64(desc string) schema.Float64Attribute {
	return schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
}

func computedBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
}

// computedTime is an RFC 3339 time (a string on the wire, usable with
// timecmp()).
func computedTime(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: desc}
}

func computedStrings(desc string) schema.ListAttribute {
	return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
}

// computedObjects is a list of objects with the given attributes.
func computedObjects(desc string, attrs map[string]schema.Attribute) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{Computed: true, MarkdownDescription: desc, NestedObject: schema.NestedAttributeObject{Attributes: attrs}}
}

// optionalString is a string argument that, when set, is not empty.
func optionalString(desc string, validators ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: desc,
		Validators:          append([]validator.String{stringvalidator.LengthAtLeast(1)}, validators...),
	}
}

func optionalBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
}

// optionalChoices is a set argument of some of values, at least one.
func optionalChoices(desc string, values []string) schema.SetAttribute {
	return schema.SetAttribute{
		Optional:            true,
		ElementType:         types.StringType,
		MarkdownDescription: desc,
		Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(values...))},
	}
}

// digestArgument is an image digest, in the one form every data source
// and the resource accept (see digestValidator).
func digestArgument(desc string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, MarkdownDescription: desc, Validators: []validator.String{digestValidator()}}
}

// imageUUIDArgument is the uuid of one image record (see imageUUIDValidator).
func imageUUIDArgument(desc string) schema.StringAttribute {
	return schema.StringAttribute{Required: true, MarkdownDescription: desc, Validators: []validator.String{imageUUIDValidator()}}
}

// langs are the languages of the service's names and texts; the first is
// what the provider asks for unless lang is set.
var langs = []string{"en", "zh"}

func langArgument(what string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Language of " + what + ": `en` (the default) or `zh`.",
		Validators:          []validator.String{stringvalidator.OneOf(langs...)},
	}
}

// langOf is the language to send for a lang argument.
func langOf(lang types.String) string {
	if lang.IsNull() || lang.IsUnknown() {
		return langs[0]
	}
	return lang.ValueString()
}

// pageSizeArgument is the page size a listing asks for: records is what a
// page holds, defaults what the default buys.
func pageSizeArgument(records, defaults string) schema.Int64Attribute {
	return schema.Int64Attribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("%s per request, 1 to %d. Defaults to %d%s. When the service serves smaller pages than asked, paging follows the size it serves.",
			records, sasapi.MaxPageSize, sasapi.MaxPageSize, defaults),
		Validators: []validator.Int64{int64validator.Between(1, sasapi.MaxPageSize)},
	}
}

func maxResultsArgument(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{Optional: true, MarkdownDescription: desc, Validators: []validator.Int64{int64validator.AtLeast(1)}}
}

// quoted renders values as a Markdown list of code spans: `a`, `b`, `c`.
func quoted(values []string) string {
	out := make([]string, len(values))
	for k, v := range values {
		out[k] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}
