package provider

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// An endpoint that redirects (a wrong endpoint, a captive portal, someone on
// a plain-HTTP path) gets one request; the other host gets none, and the
// user is told a redirect happened and what to check.
func TestAccImageInstances_redirectIsRefusedAndNamed(t *testing.T) {
	var targetCalls, endpointCalls atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		targetCalls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(target.Close)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		endpointCalls.Add(1)
		http.Redirect(w, r, target.URL+"/", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(endpoint.Close)
	host := strings.TrimPrefix(endpoint.URL, "http://")

	config := `
provider "sas" {
  endpoint   = "` + host + `"
  protocol   = "HTTP"
  access_key = "` + fakesas.TestAccessKey + `"
  secret_key = "` + fakesas.TestSecretKey + `"
}
data "sas_image_instances" "test" {}`
	accTest(t, resource.TestStep{Config: config, ExpectError: errorMatching(
		"Reading Security Center images: redirect refused",
		"http://"+host+"/ answered HTTP 307 Temporary Redirect, redirecting to "+target.URL+"/",
		"the SAS API does not redirect",
		"The endpoint is set by endpoint or ALIBABA_CLOUD_ENDPOINT_SAS", "the protocol by protocol", "proxies by HTTPS_PROXY",
	)})
	if n := targetCalls.Load(); n != 0 {
		t.Errorf("the redirect target received %d requests, want none", n)
	}
	// Terraform reads the data source once per plan; a retried redirect
	// would show as more requests than reads.
	if n := endpointCalls.Load(); n != 1 {
		t.Errorf("the endpoint saw %d requests, want 1 (no retries)", n)
	}
}
