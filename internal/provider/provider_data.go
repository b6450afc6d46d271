package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// providerData is what the provider's Configure hands to data sources and
// resources.
type providerData struct {
	client   *sasapi.Client
	region   string
	endpoint string // host[:port] the client calls, for error messages
	// vulDetails caches the CVEs of vulnerability names for the run.
	vulDetails vulDetailsCache
}

// configuredProvider is for the Configure of a data source or resource:
// pass it req.ProviderData. Before the provider is configured (validation)
// there is none, and nil is returned without error.
func configuredProvider(raw any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if raw == nil {
		return nil, diags
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", raw))
	}
	return data, diags
}

// notConfigured is reported by a Read or Apply that finds no provider data.
func notConfigured() diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider not configured",
		"The sas provider was not configured before the read. This is a bug in the provider or Terraform; please report it.")
}
