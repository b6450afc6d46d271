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
	client := fakeClient(t, sasapi.Config{Endpoint: endpoint, MaxRetries: 0, MaxConcurrency: maxConcurrency})
	return readConfigured(ctx, t, &providerData{client: client, endpoint: endpoint, region: "cn-hangzhou"}, ds, config)
}

// fakeClient is a client of the fake with cfg, signing with the fake's
// test key. Its idle connections are closed before the fake (cleanups run
// last first), which would otherwise wait for them at shutdown.
func fakeClient(tb testing.TB, cfg sasapi.Config) *sasapi.Client {
	tb.Helper()
	cred, err := credentials.NewCredential(&credentials.Config{
		Type: dara.String("access_key"), AccessKeyId: dara.String(fakesas.TestAccessKey), AccessKeySecret: dara.String(fakesas.TestSecretKey),
	})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Protocol, cfg.Credential = "HTTP", cred
	client, err := sasapi.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(client.CloseIdleConnections)
	return client
}

// readConfigured runs a data source's Configure with data and, when that
// succeeds, its Read with config's arguments (the others null).
func readConfigured(ctx context.Context, t *testing.T, data *providerData, ds datasource.DataSource, config map[string]tftypes.Value) (diag.Diagnostics, tfsdk.State) {
	t.Helper()
	var schemaResp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
	typ := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(typ, nil)}}
	var configured datasource.ConfigureResponse
	ds.(datasource.DataSourceWithConfigure).Configure(ctx, datasource.ConfigureRequest{ProviderData: data}, &configured)
	if configured.Diagnostics.HasError() {
		return configured.Diagnostics, resp.State
	}
	ds.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: objectOf(typ, config)}}, &resp)
	return append(configured.Diagnostics, resp.Diagnostics...), resp.State
}

// stringValues is a list or set argument of strings.
func stringValues(typ tftypes.Type, values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for k, v := range values {
		elems[k] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(typ, elems)
}
