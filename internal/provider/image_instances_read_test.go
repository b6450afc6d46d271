package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/credentials-go/credentials"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// readDirect runs the data source's Read in-process, so tests can see the
// warnings Terraform would print (terraform-plugin-testing does not expose
// them).
func readDirect(t *testing.T, fake *fakesas.Server, maxConcurrency int, config map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	cred, err := credentials.NewCredential(&credentials.Config{Type: dara.String("access_key"), AccessKeyId: dara.String(fakesas.TestAccessKey), AccessKeySecret: dara.String(fakesas.TestSecretKey)})
	if err != nil {
		t.Fatal(err)
	}
	client, err := sasapi.New(sasapi.Config{Endpoint: fake.Endpoint(), Protocol: "HTTP", Credential: cred, MaxRetries: 0, MaxConcurrency: maxConcurrency})
	if err != nil {
		t.Fatal(err)
	}
	ds := NewImageInstancesDataSource()
	var configured datasource.ConfigureResponse
	ds.(datasource.DataSourceWithConfigure).Configure(ctx, datasource.ConfigureRequest{ProviderData: &providerData{client: client}}, &configured)
	var schemaResp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
	objectType := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, typ := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range config {
		values[name] = v
	}
	req := datasource.ReadRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, values)}}
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, nil)}}
	ds.Read(ctx, req, &resp)
	return resp.Diagnostics
}

func requireWarning(t *testing.T, diags diag.Diagnostics, fragment string) {
	t.Helper()
	if diags.HasError() {
		t.Fatalf("unexpected error: %v", diags.Errors())
	}
	for _, w := range diags.Warnings() {
		if strings.Contains(w.Detail(), fragment) {
			return
		}
	}
	t.Fatalf("no warning containing %q in %v", fragment, diags)
}

func TestRead_warnsWhenTheListingChangesBetweenPages(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(120, 4)})
	fake.OnDescribeImageInstances(func(call int) {
		if call == 1 {
			fresh := fakesas.GenerateImages(3, 99)
			for k := range fresh {
				fresh[k]["Uuid"] = "u-inserted-" + string(rune('a'+k))
			}
			fake.SetImages(append(fresh, fake.Images()...))
		}
	})
	diags := readDirect(t, fake, 1, map[string]tftypes.Value{"page_size": tftypes.NewValue(tftypes.Number, 50)})
	requireWarning(t, diags, "changed during the read")
}

func TestRead_warnsWhenTheServiceReturnsFewerImagesThanItCounted(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(30, 4)})
	fake.SetTotalCountOverride(500)
	diags := readDirect(t, fake, 4, nil)
	requireWarning(t, diags, "returned only 30")
}

func TestRead_noWarningForAStableListing(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(250, 4)})
	diags := readDirect(t, fake, 4, map[string]tftypes.Value{"page_size": tftypes.NewValue(tftypes.Number, 50)})
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
}
