package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// invalidProviderConfig is a provider block Terraform must reject at plan
// time, naming the attribute.
type invalidProviderConfig struct {
	name string
	// attrs are the arguments set; nested objects hold only theirs.
	attrs map[string]any
	// path is the attribute the error names.
	path string
	want []string
	// byTerraform: the error is Terraform's own (a required attribute
	// missing), raised before the provider sees the configuration.
	byTerraform bool
}

var roleARN = "acs:ram::123456789:role/reader"

var invalidProviderConfigs = []invalidProviderConfig{
	{name: "protocol not HTTP/HTTPS", attrs: map[string]any{"protocol": "FTP"}, path: "protocol",
		want: []string{`Attribute protocol value must be one of`, `"FTP"`}},
	{name: "protocol lower case", attrs: map[string]any{"protocol": "https"}, path: "protocol",
		want: []string{`Attribute protocol value must be one of`}},
	{name: "session_expiration too short", attrs: map[string]any{"assume_role": nested{"role_arn": roleARN, "session_expiration": 100}},
		path: "assume_role.session_expiration", want: []string{`Attribute assume_role.session_expiration value must be between 900 and 43200, got: 100`}},
	{name: "session_expiration too long", attrs: map[string]any{"assume_role": nested{"role_arn": roleARN, "session_expiration": 50000}},
		path: "assume_role.session_expiration", want: []string{`Attribute assume_role.session_expiration value must be between 900 and 43200, got: 50000`}},
	{name: "assume_role without role_arn", attrs: map[string]any{"assume_role": nested{"session_name": "ci"}},
		path: "assume_role", want: []string{`attribute "role_arn" is required`}, byTerraform: true},
	{name: "malformed role_arn", attrs: map[string]any{"assume_role": nested{"role_arn": "arn:aws:iam::1:role/x"}},
		path: "assume_role.role_arn", want: []string{`Attribute assume_role.role_arn must look like acs:ram::<account-id>:role/<role-name>`}},
	{name: "session_name too short", attrs: map[string]any{"assume_role": nested{"role_arn": "acs:ram::1:role/x", "session_name": "a"}},
		path: "assume_role.session_name", want: []string{`Attribute assume_role.session_name must be 2 to 64 letters`}},
	{name: "region not a region id", attrs: map[string]any{"region": "Hangzhou!"}, path: "region",
		want: []string{`Attribute region must be a region id`}},
	{name: "endpoint with a scheme", attrs: map[string]any{"endpoint": "https://tds.aliyuncs.com"}, path: "endpoint",
		want: []string{`Invalid endpoint`, `scheme comes from protocol`}},
	{name: "endpoint with a path", attrs: map[string]any{"endpoint": "tds.aliyuncs.com/api"}, path: "endpoint",
		want: []string{`Invalid endpoint`, `without a path`}},
	{name: "endpoint port out of range", attrs: map[string]any{"endpoint": "127.0.0.1:99999"}, path: "endpoint",
		want: []string{`Invalid endpoint`, `port "99999"`}},
	{name: "max_retries negative", attrs: map[string]any{"max_retries": -1}, path: "max_retries",
		want: []string{`Attribute max_retries value must be between 0 and 100, got: -1`}},
	{name: "max_concurrency zero", attrs: map[string]any{"max_concurrency": 0}, path: "max_concurrency",
		want: []string{`Attribute max_concurrency value must be between 1 and 32, got: 0`}},
	{name: "max_concurrency above 32", attrs: map[string]any{"max_concurrency": 33}, path: "max_concurrency",
		want: []string{`Attribute max_concurrency value must be between 1 and 32, got: 33`}},
	{name: "read_timeout not a duration", attrs: map[string]any{"read_timeout": "soon"}, path: "read_timeout",
		want: []string{`Invalid duration`, `"soon" is not a duration`}},
	{name: "connect_timeout zero", attrs: map[string]any{"connect_timeout": "0s"}, path: "connect_timeout",
		want: []string{`Invalid duration`, `"0s" must be longer than zero`}},
	{name: "retry_timeout without unit", attrs: map[string]any{"retry_timeout": "30"}, path: "retry_timeout",
		want: []string{`Invalid duration`, `"30" is not a duration`}},
	{name: "access_key without secret_key", attrs: map[string]any{"access_key": "LTAI-x"}, path: "access_key",
		want: []string{`Attribute "secret_key" must be specified when "access_key" is specified`}},
	{name: "empty access_key", attrs: map[string]any{"access_key": "", "secret_key": "s"}, path: "access_key",
		want: []string{`Attribute access_key string length must be at least 1`}},
}

// providerBlock renders a provider block with the arguments set.
func (c invalidProviderConfig) providerBlock() string {
	return "provider \"sas\" {\n" + hclAttributes(c.attrs, "  ") + "}\n"
}

// hclAttributes renders arguments, sorted, one a line.
func hclAttributes(attrs map[string]any, indent string) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		switch v := attrs[name].(type) {
		case string:
			fmt.Fprintf(&b, "%s%s = %s\n", indent, name, hcl(v))
		case int:
			fmt.Fprintf(&b, "%s%s = %d\n", indent, name, v)
		case nested:
			fmt.Fprintf(&b, "%s%s = {\n%s%s}\n", indent, name, hclAttributes(v, indent+"  "), indent)
		default:
			panic(fmt.Sprintf("hclAttributes: %s is a %T", name, v))
		}
	}
	return b.String()
}

// The schema's validators alone reject each invalid argument: Terraform
// calls ValidateProviderConfig before anything is configured, so these
// errors come at plan time, also when the provider is never configured
// (terraform validate). Configure repeats some checks for values from the
// environment; that must not be what catches a configured value.
func TestProviderValidation_schemaValidatorsRejectEachInvalidArgument(t *testing.T) {
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemaResp.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemaResp.Diagnostics)
	}
	objectType := schemaResp.Provider.ValueType().(tftypes.Object)
	for _, tc := range invalidProviderConfigs {
		if tc.byTerraform {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			config, err := tfprotov6.NewDynamicValue(objectType, tfValueOf(t, objectType, tc.attrs))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := server.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &config})
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, d := range resp.Diagnostics {
				if d.Severity != tfprotov6.DiagnosticSeverityError {
					continue
				}
				text := d.Summary + "\n" + d.Detail
				errs = append(errs, text)
				if d.Attribute != nil && frameworkPath(d.Attribute).String() == tc.path && errorMatching(tc.want...).MatchString(text) {
					return
				}
			}
			t.Errorf("validation errors %q, want one on %s matching %q", errs, tc.path, tc.want)
		})
	}
}
