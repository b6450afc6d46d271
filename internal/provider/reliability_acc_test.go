package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// Each transient fault is retried until the read is complete and ordered.
func TestAccFaults_transientFailuresAreRetriedToACompleteResult(t *testing.T) {
	images := fakesas.GenerateImages(250, 21)
	ids := uuids(images)
	cases := []struct {
		name  string
		fault fakesas.Fault
	}{
		{"throttling on 10% of requests", fakesas.Fault{Kind: fakesas.FaultThrottling, Rate: 0.1, MaxConsecutive: 3}},
		{"throttling on 30% of requests", fakesas.Fault{Kind: fakesas.FaultThrottling, Rate: 0.3, MaxConsecutive: 3}},
		{"throttling on 50% of requests", fakesas.Fault{Kind: fakesas.FaultThrottling, Rate: 0.5, MaxConsecutive: 3}},
		{"throttling with Retry-After", fakesas.Fault{Kind: fakesas.FaultThrottling, Rate: 0.5, MaxConsecutive: 2, RetryAfter: "1"}},
		{"HTTP 500 ServerError", fakesas.Fault{Kind: fakesas.FaultServerError, Rate: 0.4, MaxConsecutive: 2}},
		{"HTTP 503 ServiceUnavailable", fakesas.Fault{Kind: fakesas.FaultUnavailable, Rate: 0.4, MaxConsecutive: 2}},
		{"HTML 502 gateway page", fakesas.Fault{Kind: fakesas.FaultBadGateway, Rate: 0.4, MaxConsecutive: 2}},
		{"HTML 504 gateway page", fakesas.Fault{Kind: fakesas.FaultGatewayTimeout, Rate: 0.4, MaxConsecutive: 2}},
		{"connection reset mid-response", fakesas.Fault{Kind: fakesas.FaultConnReset, Rate: 0.4, MaxConsecutive: 2}},
		{"truncated JSON body", fakesas.Fault{Kind: fakesas.FaultTruncated, Rate: 0.4, MaxConsecutive: 2}},
		{"response slower than read_timeout", fakesas.Fault{Kind: fakesas.FaultSlow, Rate: 0.3, MaxConsecutive: 1, Delay: 3 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: images, Seed: 5})
			fake.SetFaults(tc.fault)
			accTest(t, resource.TestStep{
				Config: providerConfig(fake, `read_timeout = "1s"`, "max_retries = 5") + `
data "sas_image_instances" "test" {
  page_size = 50
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					expectIDs(dsAddr, ids...),
					expectAttr(tfjsonpath.New("total_count"), knownvalue.Int64Exact(250)),
				},
			})
			if faulted := countFaults(fake); faulted == 0 {
				t.Fatalf("no %s was injected: the test proves nothing", tc.fault.Kind)
			}
		})
	}
}

func countFaults(s *fakesas.Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Fault != "" {
			n++
		}
	}
	return n
}

func TestAccFaults_exhaustedRetriesFailWithTheLastErrorNeverAPartialList(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(250, 2)})
	// The first page succeeds; every later request fails.
	fake.OnDescribeImageInstances(func(int) {
		fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultServerError, Rate: 1})
	})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake, "max_retries = 2") + `
data "sas_image_instances" "test" {
  page_size = 50
}`,
		ExpectError: errorMatching("ServerError", "HTTP status: 500", "Request id: ", "Attempts: 3", "Raise max_retries"),
	})
}

func TestAccFaults_slowServiceEndsInATimeoutErrorNamingTheSetting(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(10, 2)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultSlow, Rate: 1, Delay: 5 * time.Second})
	accTest(t, resource.TestStep{
		Config:      providerConfig(fake, `read_timeout = "500ms"`, "max_retries = 1") + `data "sas_image_instances" "test" {}`,
		ExpectError: errorMatching("request timed out", "Attempts: 2", "Raise read_timeout"),
	})
}

func TestAccFaults_totalCountBeyondTheRecordsTerminates(t *testing.T) {
	images := fakesas.GenerateImages(120, 8)
	fake := startFake(t, fakesas.Options{Images: images})
	fake.SetTotalCountOverride(100000)
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `data "sas_image_instances" "test" {}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectIDs(dsAddr, uuids(images)...),
			expectAttr(tfjsonpath.New("total_count"), knownvalue.Int64Exact(100000)),
		},
	})
	reads, calls := readsAndCalls(fake)
	// Pages 3 and later are empty: at most max_concurrency of them are in
	// flight when the first empty one stops the rest.
	if calls > reads*(2+1+sasapi.DefaultMaxConcurrency) {
		t.Errorf("%d requests over %d reads: an empty page did not stop the listing", calls, reads)
	}
}

func TestAccConcurrency_twentyDataSourcesReadInParallel(t *testing.T) {
	images := fakesas.GenerateImages(400, 9)
	fake := startFake(t, fakesas.Options{Images: images, Latency: 5 * time.Millisecond})
	byRepo := map[string][]string{}
	var repos []string
	for _, i := range images {
		repo := fmt.Sprint(i["RepoName"])
		if _, seen := byRepo[repo]; !seen {
			repos = append(repos, repo)
		}
		byRepo[repo] = append(byRepo[repo], fmt.Sprint(i["Uuid"]))
	}
	if len(repos) < 20 {
		t.Fatalf("dataset has %d repositories, need 20", len(repos))
	}
	config := providerConfig(fake, "max_concurrency = 8")
	var checks []statecheck.StateCheck
	for k, repo := range repos[:20] {
		name := fmt.Sprintf("r%02d", k)
		config += fmt.Sprintf("data \"sas_image_instances\" %q {\n  criteria = [{ name = \"repoName\", value = %q }]\n  page_size = 7\n}\n", name, repo)
		checks = append(checks, expectIDs("data.sas_image_instances."+name, byRepo[repo]...))
	}
	accTest(t, resource.TestStep{Config: config, ConfigStateChecks: checks})
}

// secretCanary and tokenCanary are a secret key and an STS token that must
// never be written anywhere; excerptCanary is a secret's excerpt as the
// service sends it, which only the state may hold.
const (
	secretCanary  = "sEcReT-CaNaRy-7f3a9c"
	tokenCanary   = "ToKeN-CaNaRy-42b8e1"
	excerptCanary = "AKIAeXcErPt-CaNaRy-77"
)

func TestAccSecrets_neverInLogsDiagnosticsOrState(t *testing.T) {
	logDir := t.TempDir()
	if d := os.Getenv("SAS_TEST_LOG_DIR"); d != "" {
		logDir = d
	}
	creds := map[string]fakesas.Credential{"STS.canary": {Secret: secretCanary, SecurityToken: tokenCanary}}
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}, Credentials: creds})
	// The credential comes from the environment, as it should in CI: the
	// test harness itself logs the configuration text at TRACE.
	config := func(extra string) string {
		return `provider "sas" {
  endpoint = "` + fake.Endpoint() + `"
  protocol = "HTTP"
  ` + extra + `
}
data "sas_image_instances" "test" {}`
	}
	isolateEnv(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.canary")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secretCanary)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", tokenCanary)
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", filepath.Join(logDir, "provider.log"))

	var diagnostics []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		ErrorCheck:               recordErrors(&diagnostics),
		Steps: []resource.TestStep{
			{
				Config:            config(""),
				ConfigStateChecks: []statecheck.StateCheck{expectIDs(dsAddr, "u-1"), stateLacks(secretCanary, tokenCanary)},
			},
			{
				// Fail with a service error: the diagnostics must not carry the secret either.
				PreConfig: func() { fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultNoPermission, Rate: 1}) },
				Config:    config(`max_retries = 0`),
			},
		},
	})
	if len(diagnostics) == 0 {
		t.Fatal("the failing step produced no error")
	}
	for _, d := range diagnostics {
		if !strings.Contains(d, "NoPermission") {
			t.Errorf("unexpected failure: %s", d)
		}
		requireNoCanary(t, "diagnostics", d)
	}
	// TF_ACC_LOG_PATH collects Terraform's and the in-process provider's logs.
	data, err := os.ReadFile(filepath.Join(logDir, "provider.log"))
	if err != nil {
		t.Fatalf("reading the logs: %v", err)
	}
	if !strings.Contains(string(data), "DescribeImageInstances page 1 of 1") || !strings.Contains(string(data), "sdk.framework") {
		t.Fatal("the provider's TRACE logs were not captured: the test proves nothing")
	}
	requireNoCanary(t, "the TRACE log", string(data))
}

func requireNoCanary(t *testing.T, where, text string) {
	t.Helper()
	for _, canary := range []string{secretCanary, tokenCanary, excerptCanary} {
		if strings.Contains(text, canary) {
			t.Errorf("%s contains a secret (%s…)", where, canary[:6])
		}
	}
}

// stateLacks fails when any of the strings appears in the state.
func stateLacks(secrets ...string) statecheck.StateCheck { return stateLacksCheck(secrets) }

type stateLacksCheck []string

func (c stateLacksCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	encoded, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	for _, s := range c {
		if strings.Contains(string(encoded), s) {
			resp.Error = fmt.Errorf("the state contains a credential (%s…)", s[:6])
		}
	}
}

// recordErrors is an ErrorCheck that keeps each failing step's error in
// *errs and lets the test go on; the test then says which steps had to fail.
func recordErrors(errs *[]string) resource.ErrorCheckFunc {
	return func(err error) error {
		*errs = append(*errs, err.Error())
		return nil
	}
}
