package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// engineRead reads m's arguments into m through ds's engine, as its Read
// does before it writes the state, with a provider configuration of its
// own (an empty CVE cache).
func engineRead[M, Req, Res any](ctx context.Context, ds *dataSource[M, Req, Res], client *sasapi.Client, m *M) diag.Diagnostics {
	ds.data = &providerData{client: client}
	return ds.read(ctx, m)
}

// readImageVulnerabilities reads the rows of m's arguments, and their
// details when asked, into m.
func readImageVulnerabilities(ctx context.Context, client *sasapi.Client, m *imageVulnerabilitiesModel) diag.Diagnostics {
	return engineRead(ctx, NewImageVulnerabilitiesDataSource().(*dataSource[imageVulnerabilitiesModel, vulArguments, vulRead]), client, m)
}
