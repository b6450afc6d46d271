package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// apiErrorDiagnostic turns a client error into a diagnostic a user can act
// on: the service's code, HTTP status, message and request id, plus a hint.
func apiErrorDiagnostic(what string, err error) diag.Diagnostic {
	var apiErr *sasapi.APIError
	var te *sasapi.TransportError
	var ce *sasapi.CredentialError
	var de *sasapi.DecodeError
	switch {
	case errors.Is(err, context.Canceled):
		return diag.NewErrorDiagnostic(what+": interrupted", "The read was cancelled before it completed; no partial result was stored.")
	case errors.As(err, &apiErr):
		return diag.NewErrorDiagnostic(fmt.Sprintf("%s: %s", what, apiErr.Code), describeAPIError(apiErr, err))
	case errors.As(err, &ce):
		return diag.NewErrorDiagnostic(what+": no credentials",
			fmt.Sprintf("No usable Alibaba Cloud credential was found: %v\n\n%s", ce.Err, credentialSearchOrder()))
	case errors.As(err, &te) && sasapi.IsCertificateError(te.Err):
		return diag.NewErrorDiagnostic(what+": untrusted TLS certificate",
			fmt.Sprintf("%v\n\nThe endpoint's certificate is not trusted. Behind a TLS-intercepting proxy or with a private endpoint, set ca_bundle_file (or SAS_CA_BUNDLE) to a PEM file of the CA that signs it.", err))
	case errors.As(err, &te) && te.Timeout:
		return diag.NewErrorDiagnostic(what+": request timed out",
			fmt.Sprintf("%v\n\nThe service did not answer within read_timeout. Raise read_timeout (and retry_timeout) in the provider configuration, or lower page_size so each page is smaller.", err))
	case errors.As(err, &te):
		return diag.NewErrorDiagnostic(what+": network error",
			fmt.Sprintf("%v\n\nCheck the endpoint, network access and proxy settings (HTTPS_PROXY, NO_PROXY).", err))
	case errors.As(err, &de):
		return diag.NewErrorDiagnostic(what+": unreadable response", err.Error())
	default:
		return diag.NewErrorDiagnostic(what+": failed", err.Error())
	}
}

func describeAPIError(apiErr *sasapi.APIError, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Code: %s\n", apiErr.Code)
	if apiErr.HTTPStatus != 0 {
		fmt.Fprintf(&b, "HTTP status: %d\n", apiErr.HTTPStatus)
	}
	if apiErr.Message != "" {
		fmt.Fprintf(&b, "Message: %s\n", apiErr.Message)
	}
	if apiErr.RequestID != "" {
		fmt.Fprintf(&b, "Request id: %s\n", apiErr.RequestID)
	}
	if apiErr.Attempts > 1 {
		fmt.Fprintf(&b, "Attempts: %d\n", apiErr.Attempts)
	}
	if errors.Is(err, sasapi.ErrRetryBudgetExhausted) {
		b.WriteString("Gave up: the retry time budget (retry_timeout) ran out.\n")
	}
	if hint := apiErr.Hint(); hint != "" {
		fmt.Fprintf(&b, "\n%s\n", hint)
	}
	if apiErr.Recommend != "" {
		fmt.Fprintf(&b, "Diagnosis: %s\n", apiErr.Recommend)
	}
	return strings.TrimRight(b.String(), "\n")
}
