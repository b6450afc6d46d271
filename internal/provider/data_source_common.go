package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

// configureClient extracts the provider's data for a data source. Before
// the provider is configured (validation) there is none, and that is fine.
func configureClient(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) *providerData {
	if req.ProviderData == nil {
		return nil
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", req.ProviderData))
		return nil
	}
	return data
}

const notConfiguredDetail = "The sas provider was not configured before the read. This is a bug in the provider or Terraform; please report it."
