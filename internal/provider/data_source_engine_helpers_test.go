package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// readImageVulnerabilities reads the rows of m's arguments, and their
// details when asked, into m, as the data source's Read does before it
// writes the state.
func readImageVulnerabilities(ctx context.Context, client *sasapi.Client, m *imageVulnerabilitiesModel) diag.Diagnostics {
	ds := NewImageVulnerabilitiesDataSource().(*dataSource[imageVulnerabilitiesModel, vulArguments, vulRead])
	ds.data = &providerData{client: client}
	return ds.read(ctx, m)
}
