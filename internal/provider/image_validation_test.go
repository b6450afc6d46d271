package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The plan-time validators of sas_image_instance, sas_image_baselines and
// sas_image_scan, called as Terraform calls them before anything is read
// (ValidateDataResourceConfig, ValidateResourceConfig), without Terraform:
// each case fails when its validator is removed, even where Read checks
// again (the selectors) or an acceptance test covers it through Terraform.

// argumentCase is one configuration: invalid when want is set, naming path
// ("" for an error on no attribute).
type argumentCase struct {
	name  string
	attrs map[string]any
	path  string
	want  []string
}

func TestImageInstanceValidation_plan(t *testing.T) {
	digest := sha256Hex("x")
	runValidation(t, "sas_image_instance", false, []argumentCase{
		{name: "digest", attrs: map[string]any{"digest": digest}},
		{name: "prefixed digest", attrs: map[string]any{"digest": "sha256:" + digest}},
		{name: "upper-case digest, the one digest rule", attrs: map[string]any{"digest": "SHA256:" + strings.ToUpper(digest)}},
		{name: "image_id", attrs: map[string]any{"image_id": "sha256:abc"}},
		{name: "repo_name with tag, narrowed", attrs: map[string]any{"repo_name": "app", "tag": "1", "repo_namespace": "prod",
			"instance_id": "cri-1", "region_id": "cn-hangzhou", "registry_type": "acr", "most_recent": true}},
		{name: "selectors unknown until apply", attrs: map[string]any{"digest": unknown{}, "image_id": "abc"}},
		{name: "tag unknown until apply", attrs: map[string]any{"repo_name": "app", "tag": unknown{}}},

		{name: "no selector", attrs: map[string]any{}, want: []string{"No image selector", "Set exactly one of digest, image_id, or repo_name together with tag"}},
		{name: "only narrowing", attrs: map[string]any{"repo_namespace": "prod"},
			want: []string{"No image selector", "repo_namespace, instance_id, region_id or registry_type only narrow"}},
		{name: "digest and image_id", attrs: map[string]any{"digest": digest, "image_id": "abc"}, want: []string{"Several image selectors", "sets digest and image_id"}},
		{name: "digest and repository", attrs: map[string]any{"digest": digest, "repo_name": "r", "tag": "1"},
			want: []string{"Several image selectors", "sets digest and repo_name with tag"}},
		{name: "image_id and tag", attrs: map[string]any{"image_id": "abc", "tag": "1"}, want: []string{"Several image selectors", "sets image_id and repo_name with tag"}},
		{name: "all three", attrs: map[string]any{"digest": digest, "image_id": "abc", "repo_name": "r", "tag": "1"},
			want: []string{"Several image selectors", "sets digest and image_id and repo_name with tag"}},
		{name: "tag without repo_name", attrs: map[string]any{"tag": "1.4.2"}, path: "tag",
			want: []string{"tag without repo_name", "tag selects an image only together with repo_name"}},
		{name: "repo_name without tag", attrs: map[string]any{"repo_name": "payments-api"}, path: "repo_name",
			want: []string{"repo_name without tag", "repo_name selects an image only together with tag"}},
		{name: "short digest", attrs: map[string]any{"digest": "sha256:abc123"}, path: "digest", want: []string{"must be a sha256 image digest"}},
		{name: "other algorithm", attrs: map[string]any{"digest": "sha512:" + digest}, path: "digest", want: []string{"must be a sha256 image digest"}},
		{name: "prefix only image_id", attrs: map[string]any{"image_id": "sha256:"}, path: "image_id", want: []string{"must be an image id"}},
		{name: "empty repo_name", attrs: map[string]any{"repo_name": "", "tag": "1"}, path: "repo_name", want: []string{"string length must be at least 1"}},
		{name: "empty tag", attrs: map[string]any{"repo_name": "r", "tag": ""}, path: "tag", want: []string{"string length must be at least 1"}},
		{name: "empty narrowing", attrs: map[string]any{"digest": digest, "region_id": ""}, path: "region_id", want: []string{"string length must be at least 1"}},
	})
}

func TestImageBaselinesValidation_plan(t *testing.T) {
	runValidation(t, "sas_image_baselines", false, []argumentCase{
		{name: "image_uuid only", attrs: map[string]any{"image_uuid": "u-1"}},
		{name: "every argument", attrs: map[string]any{"image_uuid": "u-1", "risk_levels": []string{"high", "medium", "low"},
			"baseline_class": "ak_leak", "with_items": true, "lang": "zh"}},
		{name: "baseline_name", attrs: map[string]any{"image_uuid": "u-1", "baseline_name": "ssh", "lang": "en"}},

		{name: "empty image_uuid", attrs: map[string]any{"image_uuid": ""}, path: "image_uuid", want: []string{"must be an image uuid, without commas or spaces"}},
		{name: "image_uuid with a space", attrs: map[string]any{"image_uuid": "u 1"}, path: "image_uuid", want: []string{"must be an image uuid, without commas or spaces"}},
		{name: "image_uuid with a comma, the one uuid rule", attrs: map[string]any{"image_uuid": "u-1,u-2"}, path: "image_uuid", want: []string{"must be an image uuid, without commas or spaces"}},
		{name: "unknown level", attrs: map[string]any{"image_uuid": "u", "risk_levels": []string{"high", "critical"}}, path: "risk_levels",
			want: []string{`value must be one of: ["high" "medium" "low"]`, `"critical"`}},
		{name: "empty level set", attrs: map[string]any{"image_uuid": "u", "risk_levels": []string{}}, path: "risk_levels",
			want: []string{"set must contain at least 1 elements"}},
		{name: "class and name", attrs: map[string]any{"image_uuid": "u", "baseline_class": "ak_leak", "baseline_name": "ssh"}, path: "baseline_class",
			want: []string{`Attribute "baseline_name" cannot be specified when "baseline_class" is specified`}},
		{name: "empty class", attrs: map[string]any{"image_uuid": "u", "baseline_class": ""}, path: "baseline_class", want: []string{"string length must be at least 1"}},
		{name: "empty name", attrs: map[string]any{"image_uuid": "u", "baseline_name": ""}, path: "baseline_name", want: []string{"string length must be at least 1"}},
		{name: "unknown language", attrs: map[string]any{"image_uuid": "u", "lang": "fr"}, path: "lang", want: []string{`value must be one of: ["en" "zh"]`}},
	})
}

func TestImageScanValidation_plan(t *testing.T) {
	digest := strings.Repeat("0123456789abcdef", 4)
	scoped := func(attrs map[string]any) map[string]any {
		attrs["digest"] = digest
		return attrs
	}
	runValidation(t, "sas_image_scan", true, []argumentCase{
		{name: "bare digest", attrs: map[string]any{"digest": digest}},
		{name: "prefixed upper-case digest", attrs: map[string]any{"digest": "SHA256:" + strings.ToUpper(digest)}},
		{name: "digest unknown until apply", attrs: map[string]any{"digest": unknown{}}},
		{name: "every scope argument", attrs: scoped(map[string]any{"repo_name": "team/payments-api", "repo_namespace": "prod", "tag": "1.4.3_rc-1",
			"region_id": "cn-hangzhou", "instance_id": "cri-abc.1", "registry_type": "harbor", "wait_for_completion": false,
			"timeouts": nested{"create": "30m"}})},

		{name: "digest too short", attrs: map[string]any{"digest": "sha256:abc"}, path: "digest",
			want: []string{"Invalid image digest", `"sha256:abc" must be a sha256 image digest`}},
		{name: "digest of another algorithm", attrs: map[string]any{"digest": "sha512:" + digest}, path: "digest", want: []string{"Invalid image digest"}},
		{name: "digest with a tag", attrs: map[string]any{"digest": "app:2.0"}, path: "digest", want: []string{"Invalid image digest"}},
		{name: "digest one digit short", attrs: map[string]any{"digest": digest[1:]}, path: "digest", want: []string{"Invalid image digest"}},
		{name: "repo_name upper case", attrs: scoped(map[string]any{"repo_name": "App"}), path: "repo_name", want: []string{"must be a repository name"}},
		{name: "repo_name with a comma", attrs: scoped(map[string]any{"repo_name": "app,web"}), path: "repo_name", want: []string{"must be a repository name"}},
		{name: "repo_namespace N/A", attrs: scoped(map[string]any{"repo_namespace": "N/A"}), path: "repo_namespace", want: []string{"must be a namespace"}},
		{name: "repo_namespace with a slash", attrs: scoped(map[string]any{"repo_namespace": "a/b"}), path: "repo_namespace", want: []string{"must be a namespace"}},
		{name: "tag starting with a dot", attrs: scoped(map[string]any{"tag": ".1"}), path: "tag", want: []string{"must be an image tag"}},
		{name: "tag with a comma", attrs: scoped(map[string]any{"tag": "1,2"}), path: "tag", want: []string{"must be an image tag"}},
		{name: "empty tag", attrs: scoped(map[string]any{"tag": ""}), path: "tag", want: []string{"string length must be between 1 and 255"}},
		{name: "region_id", attrs: scoped(map[string]any{"region_id": "hangzhou"}), path: "region_id", want: []string{"must be a region id"}},
		{name: "instance_id with a space", attrs: scoped(map[string]any{"instance_id": "cri 1"}), path: "instance_id", want: []string{"must be a registry instance id"}},
		{name: "registry_type", attrs: scoped(map[string]any{"registry_type": "docker"}), path: "registry_type", want: []string{"value must be one of", `"docker"`}},
		{name: "timeouts.create zero", attrs: scoped(map[string]any{"timeouts": nested{"create": "0s"}}), path: "timeouts.create",
			want: []string{"Invalid create timeout", `"0s" must be longer than zero`}},
		{name: "timeouts.create negative", attrs: scoped(map[string]any{"timeouts": nested{"create": "-5m"}}), path: "timeouts.create",
			want: []string{"Invalid create timeout"}},
		{name: "timeouts.create not a duration", attrs: scoped(map[string]any{"timeouts": nested{"create": "soon"}}), path: "timeouts.create",
			want: []string{"Invalid Attribute Value Time Duration"}},
	})
}

// runValidation validates each case's configuration of typeName through
// the provider server: a valid one must give no error, an invalid one an
// error on its path matching want.
func runValidation(t *testing.T, typeName string, isResource bool, cases []argumentCase) {
	t.Helper()
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	s := schemas.DataSourceSchemas[typeName]
	if isResource {
		s = schemas.ResourceSchemas[typeName]
	}
	if s == nil {
		t.Fatalf("no schema for %s", typeName)
	}
	objectType := s.ValueType().(tftypes.Object)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			config, err := tfprotov6.NewDynamicValue(objectType, tfValueOf(t, objectType, tc.attrs))
			if err != nil {
				t.Fatal(err)
			}
			var diags []*tfprotov6.Diagnostic
			if isResource {
				resp, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: &config})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			} else {
				resp, err := server.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: typeName, Config: &config})
				if err != nil {
					t.Fatal(err)
				}
				diags = resp.Diagnostics
			}
			var errs []string
			matched := false
			for _, d := range diags {
				if d.Severity != tfprotov6.DiagnosticSeverityError {
					continue
				}
				text := d.Summary + "\n" + d.Detail
				errs = append(errs, text)
				at := ""
				if d.Attribute != nil {
					at = frameworkPath(d.Attribute).String()
				}
				matched = matched || (tc.want != nil && at == tc.path && errorMatching(tc.want...).MatchString(text))
			}
			switch {
			case tc.want == nil && len(errs) > 0:
				t.Errorf("a valid configuration fails validation: %q", errs)
			case tc.want != nil && !matched:
				t.Errorf("validation errors %q, want one on %q matching %q", errs, tc.path, tc.want)
			}
		})
	}
}
