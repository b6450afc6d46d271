package provider

import (
	"context"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated table in templates/index.md.tmpl")

func providerSchema(t *testing.T) pschema.Schema {
	t.Helper()
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	return resp.Schema
}

// schemaArguments lists every attribute of the provider schema, nested ones
// as "parent.child", with its description.
func schemaArguments(s pschema.Schema) map[string]string {
	out := map[string]string{}
	var walk func(prefix string, attrs map[string]pschema.Attribute)
	walk = func(prefix string, attrs map[string]pschema.Attribute) {
		for name, a := range attrs {
			out[prefix+name] = a.GetMarkdownDescription()
			if nested, ok := a.(pschema.SingleNestedAttribute); ok {
				walk(prefix+name+".", nested.Attributes)
			}
		}
	}
	walk("", s.Attributes)
	return out
}

func TestProviderArguments_tableAndSchemaHaveTheSameArguments(t *testing.T) {
	inSchema := schemaArguments(providerSchema(t))
	seenEnv := map[string]string{}
	for _, a := range providerArguments {
		desc, ok := inSchema[a.name]
		if !ok {
			t.Errorf("%s is in providerArguments but not in the schema", a.name)
			continue
		}
		if desc != a.markdownDescription() {
			t.Errorf("%s: the schema's description is not the table's:\n%s\n%s", a.name, desc, a.markdownDescription())
		}
		delete(inSchema, a.name)
		for _, env := range a.env {
			if other, dup := seenEnv[env]; dup {
				t.Errorf("%s is the variable of both %s and %s", env, other, a.name)
			}
			seenEnv[env] = a.name
		}
	}
	for name := range inSchema {
		t.Errorf("%s is in the schema but not in providerArguments", name)
	}
}

const (
	docsTemplate   = "../../templates/index.md.tmpl"
	generatedBegin = "{{/* Generated from providerArguments (internal/provider/provider_arguments.go) by make generate. Do not edit. */ -}}\n"
	generatedEnd   = "{{/* End of generated table. */}}\n"
)

// The docs' table of environment variables is generated from the table;
// `make generate` runs this test with -update-docs to rewrite it.
func TestProviderArguments_docsTableIsGenerated(t *testing.T) {
	data, err := os.ReadFile(docsTemplate)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	begin, end := strings.Index(text, generatedBegin), strings.Index(text, generatedEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s lacks the generated table's markers:\n%s%s", docsTemplate, generatedBegin, generatedEnd)
	}
	want := text[:begin+len(generatedBegin)] + environmentTableMarkdown() + text[end:]
	if want == text {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(docsTemplate, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the environment table in %s is out of date: run make generate", docsTemplate)
}

func TestProviderArguments_everyVariableIsClearedByTests(t *testing.T) {
	cleared := providerEnvVars()
	for _, a := range providerArguments {
		for _, env := range a.env {
			if !slices.Contains(cleared, env) {
				t.Errorf("%s (%s) is not cleared by isolateEnv", env, a.name)
			}
		}
	}
}

// Every argument whose value is unknown at plan time is reported by its
// path, however deep; none is silently treated as unset.
func TestConfigure_everyUnknownArgumentIsReported(t *testing.T) {
	ctx := context.Background()
	s := providerSchema(t)
	objectType := s.Type().TerraformType(ctx).(tftypes.Object)
	config := func(unknownArg string) tftypes.Value {
		parent, child, isNested := strings.Cut(unknownArg, ".")
		if !isNested {
			return tfValueOf(t, objectType, map[string]any{parent: unknown{}})
		}
		return tfValueOf(t, objectType, map[string]any{parent: nested{"role_arn": "acs:ram::1:role/reader", child: unknown{}}})
	}
	for name := range schemaArguments(s) {
		t.Run(name, func(t *testing.T) {
			isolateEnv(t)
			var resp provider.ConfigureResponse
			req := provider.ConfigureRequest{Config: tfsdkConfig(s, config(name))}
			New("test")().Configure(ctx, req, &resp)
			errs := resp.Diagnostics.Errors()
			if len(errs) != 1 || errs[0].Summary() != "Provider argument unknown at plan time" {
				t.Fatalf("want one unknown-argument error, got %v", resp.Diagnostics)
			}
			if got := pathOf(errs[0]); got != name {
				t.Errorf("error at %q, want %q", got, name)
			}
			if resp.DataSourceData != nil {
				t.Error("the provider was configured with an unknown argument")
			}

			req.ClientCapabilities.DeferralAllowed = true
			resp = provider.ConfigureResponse{}
			New("test")().Configure(ctx, req, &resp)
			if resp.Deferred == nil || resp.Diagnostics.HasError() {
				t.Errorf("with deferral allowed, want the configuration deferred, got %v %v", resp.Deferred, resp.Diagnostics)
			}
		})
	}
}

func tfsdkConfig(s pschema.Schema, raw tftypes.Value) tfsdk.Config {
	return tfsdk.Config{Schema: s, Raw: raw}
}

// pathOf is the attribute path of a diagnostic, "" without one.
func pathOf(d diag.Diagnostic) string {
	if withPath, ok := d.(diag.DiagnosticWithPath); ok {
		return withPath.Path().String()
	}
	return ""
}
