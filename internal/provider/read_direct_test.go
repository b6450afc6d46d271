package provider

import (
	"context"
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

// readDirect runs a data source's Configure and Read in-process against
// endpoint, with config's arguments (the others null), so that tests see
// the diagnostics Terraform would print (terraform-plugin-testing does not
// expose warnings) and the state written.
func readDirect(t *testing.T, ds datasource.DataSource, endpoint string, maxConcurrency int, config map[string]tftypes.Value) (diag.Diagnostics, tfsdk.State) {
	t.Helper()
	ctx := context.Background()
	cred, err := credentials.NewCredential(&credentials.Config{Type: dara.String("access_key"), AccessKeyId: dara.String(fakesas.TestAccessKey), AccessKeySecret: dara.String(fakesas.TestSecretKey)})
	if err != nil {
		t.Fatal(err)
	}
	client, err := sasapi.New(sasapi.Config{Endpoint: endpoint, Protocol: "HTTP", Credential: cred, MaxRetries: 0, MaxConcurrency: maxConcurrency})
	if err != nil {
		t.Fatal(err)
	}
	// Before the fake closes (cleanups run last first): a connection the
	// client dialled but never used would hold the fake's shutdown.
	t.Cleanup(client.CloseIdleConnections)
	var configured datasource.ConfigureResponse
	ds.(datasource.DataSourceWithConfigure).Configure(ctx, datasource.ConfigureRequest{ProviderData: &providerData{client: client, endpoint: endpoint, region: "cn-hangzhou"}}, &configured)
	if configured.Diagnostics.HasError() {
		t.Fatalf("Configure: %v", configured.Diagnostics)
	}
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
	return resp.Diagnostics, resp.State
}

// stringValues is a list or set argument of strings.
func stringValues(typ tftypes.Type, values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for k, v := range values {
		elems[k] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(typ, elems)
}
