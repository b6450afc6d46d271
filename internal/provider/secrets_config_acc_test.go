package provider

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// secret_key and security_token written in the provider block never reach
// the plan, the state, the diagnostics or the TRACE logs of Terraform and
// the provider, on a succeeding and a failing read. (The configuration
// itself holds them, and so do the places that repeat it: the plan's
// "configuration" section and the test harness's log of the step.)
func TestAccSecrets_fromTheProviderBlockNeverInPlanStateDiagnosticsOrLogs(t *testing.T) {
	logDir := t.TempDir()
	if d := os.Getenv("SAS_TEST_LOG_DIR"); d != "" {
		logDir = d
	}
	creds := map[string]fakesas.Credential{"STS.canary": {Secret: secretCanary, SecurityToken: tokenCanary}}
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}, Credentials: creds})
	config := func(extra string) string {
		return `provider "sas" {
  endpoint       = "` + fake.Endpoint() + `"
  protocol       = "HTTP"
  access_key     = "STS.canary"
  secret_key     = "` + secretCanary + `"
  security_token = "` + tokenCanary + `"
  ` + extra + `
}
data "sas_image_instances" "test" {}
output "ids" {
  value = data.sas_image_instances.test.ids
}`
	}
	isolateEnv(t)
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", filepath.Join(logDir, "terraform.log"))

	var diagnostics []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		ErrorCheck:               recordErrors(&diagnostics),
		Steps: []resource.TestStep{
			{
				Config:            config(""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planLacks(secretCanary, tokenCanary)}},
				ConfigStateChecks: []statecheck.StateCheck{expectIDs(dsAddr, "u-1"), stateLacks(secretCanary, tokenCanary)},
			},
			{
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
	data, err := os.ReadFile(filepath.Join(logDir, "terraform.log"))
	if err != nil {
		t.Fatalf("reading the logs: %v", err)
	}
	if !strings.Contains(string(data), "DescribeImageInstances page 1 of 1") {
		t.Fatal("the provider's TRACE logs were not captured: the test proves nothing")
	}
	if !strings.Contains(string(data), secretCanary) {
		t.Fatal("the test harness no longer logs the configuration: drop withoutConfigurationEcho")
	}
	requireNoCanary(t, "the TRACE log", withoutConfigurationEcho(string(data)))
}

// planLacks fails when any of the strings appears in the plan outside its
// "configuration" section, which is the configuration as written.
func planLacks(secrets ...string) plancheck.PlanCheck { return planLacksCheck(secrets) }

type planLacksCheck []string

func (c planLacksCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	encoded, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	var plan map[string]json.RawMessage
	if err := json.Unmarshal(encoded, &plan); err != nil {
		resp.Error = err
		return
	}
	delete(plan, "configuration")
	if plan["planned_values"] == nil || plan["relevant_attributes"] == nil {
		resp.Error = errors.New("the plan has no planned values: the check proves nothing")
		return
	}
	rest, _ := json.Marshal(plan)
	for _, s := range c {
		if strings.Contains(string(rest), s) {
			resp.Error = errors.New("the plan contains a credential (" + s[:6] + "…)")
		}
	}
}

// withoutConfigurationEcho drops the lines in which terraform-plugin-testing
// logs each step's configuration text (a multi-line field, each line
// starting "  | "): that is the configuration as written, not a leak.
func withoutConfigurationEcho(log string) string {
	var kept []string
	for _, line := range strings.Split(log, "\n") {
		if !strings.HasPrefix(line, "  | ") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// Terraform is told that secret_key and security_token are sensitive, and
// no other argument is: this flag is what makes Terraform redact them.
func TestSecrets_credentialArgumentsAreSensitive(t *testing.T) {
	server := providerserver.NewProtocol6(New("test")())()
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, resp.Diagnostics)
	}
	sensitive := map[string]bool{}
	var walk func(prefix string, block *tfprotov6.SchemaBlock)
	walk = func(prefix string, block *tfprotov6.SchemaBlock) {
		for _, a := range block.Attributes {
			if a.Sensitive {
				sensitive[prefix+a.Name] = true
			}
			if a.NestedType != nil {
				walk(prefix+a.Name+".", &tfprotov6.SchemaBlock{Attributes: a.NestedType.Attributes})
			}
		}
	}
	walk("", resp.Provider.Block)
	want := map[string]bool{"secret_key": true, "security_token": true}
	if !maps.Equal(sensitive, want) {
		t.Errorf("sensitive arguments = %v, want %v", sensitive, want)
	}
}
