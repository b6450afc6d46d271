package provider

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

const oneImageDataSource = `data "sas_image_instances" "test" {}`

// twoKeyFake accepts the test key and a second "env" key, so tests can tell
// which one the provider used.
func twoKeyFake(t *testing.T) *fakesas.Server {
	return startFake(t, fakesas.Options{
		Images: []fakesas.Image{img("u-1", "r", "1")},
		Credentials: map[string]fakesas.Credential{
			fakesas.TestAccessKey: {Secret: fakesas.TestSecretKey},
			"LTAI-env-key":        {Secret: "env-secret"},
		},
	})
}

func TestAccProvider_configWinsOverEnvironmentAndEnvironmentFallsBackInOrder(t *testing.T) {
	cases := []struct {
		name      string
		env       map[string]string
		block     string // provider block lines besides endpoint/protocol
		wantError []string
	}{
		{
			name: "ALIBABA_CLOUD_* variables alone",
			env:  map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-env-key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"},
		},
		{
			name: "ALICLOUD_* variables alone",
			env:  map[string]string{"ALICLOUD_ACCESS_KEY": "LTAI-env-key", "ALICLOUD_SECRET_KEY": "env-secret"},
		},
		{
			name: "ALIBABA_CLOUD_* wins over ALICLOUD_*",
			env: map[string]string{
				"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-env-key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret",
				"ALICLOUD_ACCESS_KEY": "LTAI-env-key", "ALICLOUD_SECRET_KEY": "wrong",
			},
		},
		{
			name:  "configuration wins over a wrong environment",
			env:   map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-env-key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong"},
			block: `access_key = "` + fakesas.TestAccessKey + `"` + "\n" + `secret_key = "` + fakesas.TestSecretKey + `"`,
		},
		{
			name:      "a wrong configuration is not rescued by the environment",
			env:       map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-env-key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "env-secret"},
			block:     `access_key = "` + fakesas.TestAccessKey + `"` + "\n" + `secret_key = "wrong"`,
			wantError: []string{"SignatureDoesNotMatch"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := twoKeyFake(t)
			isolateEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			step := resource.TestStep{
				Config: `provider "sas" {
  endpoint = "` + fake.Endpoint() + `"
  protocol = "HTTP"
  ` + tc.block + `
}
` + oneImageDataSource,
				ConfigStateChecks: []statecheck.StateCheck{expectIDs(dsAddr, "u-1")},
			}
			if tc.wantError != nil {
				step.ConfigStateChecks, step.ExpectError = nil, errorMatching(tc.wantError...)
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: []resource.TestStep{step}})
		})
	}
}

func TestAccProvider_endpointFromEnvironment(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}})
	isolateEnv(t)
	t.Setenv("ALIBABA_CLOUD_ENDPOINT_SAS", fake.Endpoint())
	t.Setenv("SAS_ENDPOINT", "127.0.0.1:1") // lower precedence: never used
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: []resource.TestStep{{
		Config: `provider "sas" {
  protocol   = "HTTP"
  access_key = "` + fakesas.TestAccessKey + `"
  secret_key = "` + fakesas.TestSecretKey + `"
}
` + oneImageDataSource,
		ConfigStateChecks: []statecheck.StateCheck{expectIDs(dsAddr, "u-1")},
	}}})
}

func TestAccProvider_missingCredentialsListWhereTheyAreLookedFor(t *testing.T) {
	fake := startFake(t, fakesas.Options{})
	accTest(t, resource.TestStep{
		Config: `provider "sas" {
  endpoint = "` + fake.Endpoint() + `"
  protocol = "HTTP"
}
` + oneImageDataSource,
		ExpectError: errorMatching("no credentials", "access_key and secret_key", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", "ecs_role_name", "~/.aliyun/config.json"),
	})
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("a request was sent without credentials: %d", n)
	}
}

func TestAccProvider_stsToken(t *testing.T) {
	creds := func(expired bool) map[string]fakesas.Credential {
		return map[string]fakesas.Credential{"STS.temporary": {Secret: "sts-secret", SecurityToken: "token-123", Expired: expired}}
	}
	block := func(fake *fakesas.Server) string {
		return `provider "sas" {
  endpoint       = "` + fake.Endpoint() + `"
  protocol       = "HTTP"
  access_key     = "STS.temporary"
  secret_key     = "sts-secret"
  security_token = "token-123"
}
` + oneImageDataSource
	}
	t.Run("valid token", func(t *testing.T) {
		fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}, Credentials: creds(false)})
		accTest(t, resource.TestStep{Config: block(fake), ConfigStateChecks: []statecheck.StateCheck{expectIDs(dsAddr, "u-1")}})
	})
	t.Run("expired token is not retried and says how to fix it", func(t *testing.T) {
		fake := startFake(t, fakesas.Options{Credentials: creds(true)})
		accTest(t, resource.TestStep{Config: block(fake), ExpectError: errorMatching("InvalidSecurityToken.Expired", "Request id: ", "fresh token")})
		if reads, calls := readsAndCalls(fake); calls != reads {
			t.Errorf("expired token retried: %d requests for %d reads", calls, reads)
		}
	})
}

// Each invalid argument fails the plan with an error naming it, and no
// request is sent. The environment holds a working endpoint and key, so a
// configuration that got through would reach the fake.
func TestAccProvider_invalidConfigurationFailsAtPlan(t *testing.T) {
	for _, tc := range invalidProviderConfigs {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}})
			providerFromEnv(t, fake)
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: []resource.TestStep{{
				Config:      tc.providerBlock() + oneImageDataSource,
				PlanOnly:    true,
				ExpectError: errorMatching(tc.want...),
			}}})
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("invalid configuration reached the API: %d requests", n)
			}
		})
	}
}

func TestAccProvider_unknownConfigurationIsAnAttributeError(t *testing.T) {
	fake := startFake(t, fakesas.Options{})
	accTest(t, resource.TestStep{
		Config: `
resource "terraform_data" "endpoint" {
  input = "` + fake.Endpoint() + `"
}
provider "sas" {
  endpoint   = terraform_data.endpoint.output
  protocol   = "HTTP"
  access_key = "` + fakesas.TestAccessKey + `"
  secret_key = "` + fakesas.TestSecretKey + `"
}
` + oneImageDataSource,
		ExpectError: errorMatching("Provider argument unknown at plan time", "endpoint"),
	})
}

func TestAccProvider_customCABundleIsTrusted(t *testing.T) {
	server := httptest.NewTLSServer(fakesas.New(fakesas.Options{Images: []fakesas.Image{img("u-tls", "r", "1")}}))
	t.Cleanup(server.Close)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	if err := os.WriteFile(bundle, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	endpoint := strings.TrimPrefix(server.URL, "https://")
	config := func(extra string) string {
		return `provider "sas" {
  endpoint    = "` + endpoint + `"
  access_key  = "` + fakesas.TestAccessKey + `"
  secret_key  = "` + fakesas.TestSecretKey + `"
  ` + extra + `
}
` + oneImageDataSource
	}
	t.Run("untrusted without the bundle, and not retried", func(t *testing.T) {
		accTest(t, resource.TestStep{Config: config(""), ExpectError: errorMatching("untrusted TLS certificate", "ca_bundle_file")})
	})
	t.Run("trusted with the bundle", func(t *testing.T) {
		accTest(t, resource.TestStep{Config: config(`ca_bundle_file = "` + bundle + `"`), ConfigStateChecks: []statecheck.StateCheck{expectIDs(dsAddr, "u-tls")}})
	})
	t.Run("an unreadable bundle is a configuration error", func(t *testing.T) {
		accTest(t, resource.TestStep{Config: config(`ca_bundle_file = "/nonexistent/ca.pem"`), ExpectError: errorMatching("Cannot read CA bundle")})
	})
}
