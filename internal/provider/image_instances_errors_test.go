package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func TestAccImageInstances_invalidArgumentsFailAtPlanWithoutCallingTheAPI(t *testing.T) {
	cases := []struct {
		name   string
		config string
		want   []string
	}{
		{"logical_exp not AND/OR", `logical_exp = "XOR"`, []string{`Attribute logical_exp value must be one of`, `"XOR"`}},
		{"logical_exp lower case", `logical_exp = "and"`, []string{`Attribute logical_exp value must be one of`}},
		{"page_size zero", `page_size = 0`, []string{`Attribute page_size value must be between 1 and 100, got: 0`}},
		{"page_size above 100", `page_size = 101`, []string{`Attribute page_size value must be between 1 and 100, got: 101`}},
		{"max_results zero", `max_results = 0`, []string{`Attribute max_results value must be at least 1, got: 0`}},
		{"max_results negative", `max_results = -5`, []string{`Attribute max_results value must be at least 1, got: -5`}},
		{"empty criteria name", `criteria = [{ name = "", value = "x" }]`, []string{`Attribute criteria[0].name string length must be at least 1`}},
		{"criteria without value", `criteria = [{ name = "tag" }]`, []string{`attribute "value" is required`}},
		{"unknown argument", `repo_name = "x"`, []string{`An argument named "repo_name" is not expected here`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}})
			accTest(t, resource.TestStep{
				Config:      providerConfig(fake) + "data \"sas_image_instances\" \"test\" {\n  " + tc.config + "\n}",
				PlanOnly:    true,
				ExpectError: errorMatching(tc.want...),
			})
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("invalid configuration reached the API: %d requests", n)
			}
		})
	}
}

func TestAccImageInstances_serviceErrorsShowCodeStatusAndRequestID(t *testing.T) {
	cases := []struct {
		name        string
		credentials map[string]fakesas.Credential
		secret      string
		want        []string
	}{
		{
			name:        "no permission names the RAM action",
			credentials: map[string]fakesas.Credential{fakesas.TestAccessKey: {Secret: fakesas.TestSecretKey, Denied: true}},
			secret:      fakesas.TestSecretKey,
			want:        []string{"NoPermission", "HTTP status: 403", "Request id: ", "yundun-sas:DescribeImageInstances"},
		},
		{
			name:   "wrong secret is a signature mismatch",
			secret: "not-the-secret",
			want:   []string{"SignatureDoesNotMatch", "HTTP status: 400", "Request id: ", "secret_key"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}, Credentials: tc.credentials})
			config := `
provider "sas" {
  endpoint   = "` + fake.Endpoint() + `"
  protocol   = "HTTP"
  access_key = "` + fakesas.TestAccessKey + `"
  secret_key = "` + tc.secret + `"
}
data "sas_image_instances" "test" {}`
			accTest(t, resource.TestStep{Config: config, ExpectError: errorMatching(tc.want...)})
			if reads, calls := readsAndCalls(fake); calls != reads {
				t.Errorf("an authorization error was retried: %d requests for %d reads", calls, reads)
			}
		})
	}
}

func TestAccImageInstances_unknownAccessKeyIsNotFound(t *testing.T) {
	fake := startFake(t, fakesas.Options{})
	config := `
provider "sas" {
  endpoint   = "` + fake.Endpoint() + `"
  protocol   = "HTTP"
  access_key = "LTAI-unknown"
  secret_key = "whatever"
}
data "sas_image_instances" "test" {}`
	accTest(t, resource.TestStep{Config: config, ExpectError: errorMatching("InvalidAccessKeyId.NotFound", "HTTP status: 404", "Request id: ", "access_key")})
}
