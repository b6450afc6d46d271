package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func mapLookup(env map[string]string) lookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

func TestResolve_regionAndEndpoint(t *testing.T) {
	cases := []struct {
		name         string
		model        providerModel
		env          map[string]string
		wantRegion   string
		wantEndpoint string
	}{
		{"default region is cn-hangzhou on the China endpoint", providerModel{}, nil, "cn-hangzhou", "tds.cn-shanghai.aliyuncs.com"},
		{"ALIBABA_CLOUD_REGION", providerModel{}, map[string]string{"ALIBABA_CLOUD_REGION": "ap-southeast-1"}, "ap-southeast-1", "tds.ap-southeast-1.aliyuncs.com"},
		{"ALICLOUD_REGION when ALIBABA_CLOUD_REGION is unset", providerModel{}, map[string]string{"ALICLOUD_REGION": "cn-beijing"}, "cn-beijing", "tds.cn-shanghai.aliyuncs.com"},
		{"ALIBABA_CLOUD_REGION wins over ALICLOUD_REGION", providerModel{}, map[string]string{"ALIBABA_CLOUD_REGION": "eu-central-1", "ALICLOUD_REGION": "cn-beijing"}, "eu-central-1", "tds.ap-southeast-1.aliyuncs.com"},
		{"configuration wins over the environment", providerModel{Region: types.StringValue("cn-hongkong")}, map[string]string{"ALIBABA_CLOUD_REGION": "cn-beijing"}, "cn-hongkong", "tds.cn-shanghai.aliyuncs.com"},
		{"explicit endpoint wins over the region", providerModel{Region: types.StringValue("cn-shanghai"), Endpoint: types.StringValue("tds.ap-southeast-1.aliyuncs.com")}, nil, "cn-shanghai", "tds.ap-southeast-1.aliyuncs.com"},
		{"ALIBABA_CLOUD_ENDPOINT_SAS wins over SAS_ENDPOINT", providerModel{}, map[string]string{"ALIBABA_CLOUD_ENDPOINT_SAS": "a.example:443", "SAS_ENDPOINT": "b.example"}, "cn-hangzhou", "a.example:443"},
		{"SAS_ENDPOINT alone", providerModel{}, map[string]string{"SAS_ENDPOINT": "b.example"}, "cn-hangzhou", "b.example"},
		{"blank variables are ignored", providerModel{}, map[string]string{"ALIBABA_CLOUD_REGION": "  ", "ALICLOUD_REGION": "us-west-1"}, "us-west-1", "tds.ap-southeast-1.aliyuncs.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := tc.model.resolve(mapLookup(tc.env))
			if diags.HasError() {
				t.Fatalf("unexpected errors: %v", diags)
			}
			if s.region != tc.wantRegion || s.endpoint != tc.wantEndpoint {
				t.Errorf("got region %q endpoint %q, want %q %q", s.region, s.endpoint, tc.wantRegion, tc.wantEndpoint)
			}
		})
	}
}

func TestResolve_environmentValuesAreValidatedWithTheVariableNamed(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad region", map[string]string{"ALIBABA_CLOUD_REGION": "Not A Region"}, "ALIBABA_CLOUD_REGION"},
		{"bad endpoint", map[string]string{"SAS_ENDPOINT": "https://x.example"}, "SAS_ENDPOINT"},
		{"key id without secret", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-x"}, "ALIBABA_CLOUD_ACCESS_KEY_SECRET"},
		{"token without key", map[string]string{"ALIBABA_CLOUD_SECURITY_TOKEN": "t"}, "security_token"},
		{"bad protocol", map[string]string{"SAS_PROTOCOL": "ftp"}, "SAS_PROTOCOL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := providerModel{}.resolve(mapLookup(tc.env))
			if !diags.HasError() {
				t.Fatal("expected an error")
			}
			if detail := diags.Errors()[0].Detail(); !strings.Contains(detail, tc.want) {
				t.Errorf("error %q does not name %s", detail, tc.want)
			}
		})
	}
}

func TestResolve_assumeRoleFromEnvironment(t *testing.T) {
	s, diags := providerModel{}.resolve(mapLookup(map[string]string{"ALIBABA_CLOUD_ROLE_ARN": "acs:ram::123:role/reader"}))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.assumeRole == nil || s.assumeRole.roleARN != "acs:ram::123:role/reader" || s.assumeRole.sessionExpiration != 3600 || s.assumeRole.sessionName != "terraform-provider-sas" {
		t.Fatalf("assume_role from ALIBABA_CLOUD_ROLE_ARN not applied with defaults: %+v", s.assumeRole)
	}
	if got := s.credentialSource(); got != "default credential chain + assume_role" {
		t.Errorf("credential source %q", got)
	}
}

func TestSettings_plainHTTPWarnsOnlyForRemoteEndpoints(t *testing.T) {
	cases := []struct {
		endpoint string
		protocol string
		warns    bool
	}{
		{"127.0.0.1:8080", "HTTP", false},
		{"localhost:8080", "HTTP", false},
		{"[::1]:8080", "HTTP", false},
		{"tds.aliyuncs.com", "HTTP", true},
		{"10.0.0.5:80", "HTTP", true},
		{"tds.aliyuncs.com", "HTTPS", false},
	}
	for _, tc := range cases {
		s := settings{endpoint: tc.endpoint, protocol: tc.protocol}
		if got := len(s.warnings()) > 0; got != tc.warns {
			t.Errorf("%s %s: warning %v, want %v", tc.protocol, tc.endpoint, got, tc.warns)
		}
	}
}

func TestResolve_roleARNOfOIDCIsNotAssumedTwice(t *testing.T) {
	env := map[string]string{
		"ALIBABA_CLOUD_ROLE_ARN":          "acs:ram::123:role/ci",
		"ALIBABA_CLOUD_OIDC_PROVIDER_ARN": "acs:ram::123:oidc-provider/gh",
		"ALIBABA_CLOUD_OIDC_TOKEN_FILE":   "/var/run/token",
	}
	s, diags := providerModel{}.resolve(mapLookup(env))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.assumeRole != nil {
		t.Fatalf("the OIDC role would be assumed a second time: %+v", s.assumeRole)
	}
}
