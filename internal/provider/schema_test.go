package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
)

func TestProviderSchemaValidatesAndIsDocumented(t *testing.T) {
	ctx := context.Background()
	var resp provider.SchemaResponse
	New("test")().Schema(ctx, provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("provider schema invalid: %v", diags)
	}
	for name, a := range resp.Schema.Attributes {
		requireProviderDescriptions(t, name, a)
	}
}

func requireProviderDescriptions(t *testing.T, name string, a pschema.Attribute) {
	t.Helper()
	if a.GetMarkdownDescription() == "" {
		t.Errorf("provider attribute %q has no MarkdownDescription", name)
	}
	if nested, ok := a.(pschema.SingleNestedAttribute); ok {
		for child, c := range nested.Attributes {
			requireProviderDescriptions(t, name+"."+child, c)
		}
	}
}

func TestDataSourceSchemasValidateAndAreDocumented(t *testing.T) {
	ctx := context.Background()
	for _, newDataSource := range New("test")().DataSources(ctx) {
		ds := newDataSource()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "sas"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp datasource.SchemaResponse
			ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("schema: %v", resp.Diagnostics)
			}
			if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
				t.Fatalf("schema invalid: %v", diags)
			}
			if resp.Schema.MarkdownDescription == "" {
				t.Error("data source has no MarkdownDescription")
			}
			for name, a := range resp.Schema.Attributes {
				requireDataSourceDescriptions(t, name, a)
			}
		})
	}
}

func requireDataSourceDescriptions(t *testing.T, name string, a dsschema.Attribute) {
	t.Helper()
	if a.GetMarkdownDescription() == "" {
		t.Errorf("attribute %q has no MarkdownDescription", name)
	}
	var children map[string]dsschema.Attribute
	switch n := a.(type) {
	case dsschema.SingleNestedAttribute:
		children = n.Attributes
	case dsschema.ListNestedAttribute:
		children = n.NestedObject.Attributes
	}
	for child, c := range children {
		requireDataSourceDescriptions(t, name+"."+child, c)
	}
}
