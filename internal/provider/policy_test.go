package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/open-policy-agent/opa/v1/rego"
)

// The Conftest policy of examples/policy, evaluated with OPA on the JSON
// plans real Terraform makes against the fake: the file users copy is the
// file tested.

const policyFile = "../../examples/policy/image_risk.rego"

// allowDeferred is the data document that accepts reads deferred to apply
// (conftest test --data, with {"allow_deferred_reads": true}).
var allowDeferred = map[string]any{"allow_deferred_reads": true}

// verdict is what the policy concludes about one plan.
type verdict struct {
	deny, warn []string
}

// evaluatePolicy runs the policy's deny and warn rules on a JSON plan, as
// `conftest test` does, with data as the data document.
func evaluatePolicy(ctx context.Context, planJSON []byte, data map[string]any) (verdict, error) {
	policy, err := os.ReadFile(policyFile)
	if err != nil {
		return verdict{}, err
	}
	var input any
	if err := json.Unmarshal(planJSON, &input); err != nil {
		return verdict{}, err
	}
	if data == nil {
		data = map[string]any{}
	}
	rs, err := rego.New(
		rego.Query("deny := data.main.deny; warn := data.main.warn"),
		rego.Module(filepath.Base(policyFile), string(policy)),
		rego.Input(input),
		rego.Data(data),
	).Eval(ctx)
	if err != nil {
		return verdict{}, err
	}
	if len(rs) != 1 {
		return verdict{}, fmt.Errorf("the query gave %d results, want 1", len(rs))
	}
	return verdict{deny: messages(rs[0].Bindings["deny"]), warn: messages(rs[0].Bindings["warn"])}, nil
}

func messages(set any) []string {
	var out []string
	list, _ := set.([]any)
	for _, m := range list {
		out = append(out, fmt.Sprint(m))
	}
	slices.Sort(out)
	return out
}

// expectVerdict is a plan check: it turns the plan back into the JSON of
// `terraform show -json`, evaluates the policy on it with data, and requires
// one deny (and warn) message containing each fragment, and no other.
type expectVerdict struct {
	data map[string]any
	deny []string
	warn []string
}

func (e expectVerdict) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	planJSON, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	got, err := evaluatePolicy(ctx, planJSON, e.data)
	if err != nil {
		resp.Error = fmt.Errorf("evaluating the policy: %w", err)
		return
	}
	if err := matchMessages("deny", got.deny, e.deny); err != nil {
		resp.Error = err
		return
	}
	resp.Error = matchMessages("warn", got.warn, e.warn)
}

func matchMessages(rule string, got, want []string) error {
	rest := slices.Clone(got)
	for _, fragment := range want {
		k := slices.IndexFunc(rest, func(m string) bool { return strings.Contains(m, fragment) })
		if k < 0 {
			return fmt.Errorf("no %s message contains %q; %s messages: %q", rule, fragment, rule, got)
		}
		rest = slices.Delete(rest, k, k+1)
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected %s messages %q (all: %q)", rule, rest, got)
	}
	return nil
}

// policyConfig is a configuration of the test's own, with the provider
// source the examples use.
func policyConfig(body string) string {
	return `
terraform {
  required_providers {
    sas = {
      source = "terraform-sas/sas"
    }
  }
}
` + body
}

// configDir writes a configuration to a directory of its own. A step needs
// one to use a module: terraform-plugin-testing runs init on the files of
// ConfigDirectory, but only on generated provider blocks for Config.
func configDir(t *testing.T, hcl string) config.TestStepConfigFunc {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.StaticDirectory(dir)
}

func TestAccPolicy(t *testing.T) {
	startDemo(t)
	lookupModule, err := filepath.Abs("../../examples/lookup")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		step resource.TestStep
		// verdicts are checked on the plan made before apply, which holds
		// the data sources read during plan in prior_state and those
		// deferred to apply in resource_changes.
		verdicts []expectVerdict
		// planOnly checks the verdicts on the plan of a PlanOnly step
		// instead: terraform-plugin-testing cannot read a state holding a
		// module (its legacy state shim refuses them), so a configuration
		// with a module is planned, never applied.
		planOnly bool
	}{
		{
			name: "risky image is denied, naming the data source",
			step: resource.TestStep{ConfigDirectory: exampleDir("lookup"), ConfigVariables: release("payments-api:1.4.2")},
			verdicts: []expectVerdict{{deny: []string{
				"data.sas_image_instances.release: 1 risky image(s) (risk_status YES): payments-api:1.4.2",
			}}},
		},
		{
			name: "never scanned image is denied",
			step: resource.TestStep{ConfigDirectory: exampleDir("lookup"), ConfigVariables: release("checkout-web:2.0.0")},
			verdicts: []expectVerdict{{deny: []string{
				"data.sas_image_instances.release: 1 image(s) never successfully scanned, so their risk is unknown: checkout-web:2.0.0",
			}}},
		},
		{
			name:     "clean image passes",
			step:     resource.TestStep{ConfigDirectory: exampleDir("lookup"), ConfigVariables: release("payments-api:1.4.3")},
			verdicts: []expectVerdict{{}},
		},
		{
			// The module's data source is in prior_state's child_modules.
			name: "risky image found in a module is denied",
			step: resource.TestStep{ConfigDirectory: configDir(t, policyConfig(fmt.Sprintf(`
module "release" {
  source      = %q
  repository  = "payments-api"
  release_tag = "1.4.2"
}`, lookupModule)))},
			verdicts: []expectVerdict{{deny: []string{
				"module.release.data.sas_image_instances.release: 1 risky image(s) (risk_status YES): payments-api:1.4.2",
			}}},
			planOnly: true,
		},
		{
			// summary_only leaves images empty: the summary counts decide.
			name: "summary-only result is judged on its counts",
			step: resource.TestStep{Config: policyConfig(`
data "sas_image_instances" "prod" {
  criteria     = [{ name = "repoNamespace", value = "prod" }]
  summary_only = true
}`)},
			verdicts: []expectVerdict{{deny: []string{
				"risky image(s) (risk_status YES): names not in the plan (summary_only)",
				"image(s) never successfully scanned, so their risk is unknown: names not in the plan (summary_only)",
			}}},
		},
		{
			// The tag comes from a resource not created yet, so the data
			// source is read during apply: the plan cannot show its image.
			name: "read deferred to apply is denied unless allowed",
			step: resource.TestStep{Config: policyConfig(`
resource "terraform_data" "build" {
  input = "1.4.3"
}

data "sas_image_instances" "release" {
  criteria = [
    { name = "repoName", value = "payments-api" },
    # The id is unknown until apply under Terraform and OpenTofu alike
    # (OpenTofu already knows a terraform_data output at plan time).
    { name = "tag", value = "${terraform_data.build.input}${substr(terraform_data.build.id, 0, 0)}" },
  ]
}`)},
			verdicts: []expectVerdict{
				{deny: []string{"data.sas_image_instances.release: image risk unknown until apply: the data source is read during apply"}},
				{data: allowDeferred, warn: []string{"data.sas_image_instances.release: image risk unknown until apply; allowed by allow_deferred_reads"}},
			},
		},
		{
			// A data source scoped to a check block is planned as a read on
			// every plan, with its result already known: it is checked, not
			// taken for a deferred read. That planned read also makes the
			// plan after apply non-empty.
			name: "check block data source is judged on its planned result",
			step: resource.TestStep{
				Config: policyConfig(`
check "release" {
  data "sas_image_instances" "release" {
    criteria = [{ name = "repoName", value = "payments-api" }, { name = "tag", value = "1.4.2" }]
  }
  assert {
    condition     = data.sas_image_instances.release.summary.risky == 0
    error_message = "risky"
  }
}`),
				ExpectNonEmptyPlan: true,
			},
			verdicts: []expectVerdict{{deny: []string{
				"data.sas_image_instances.release: 1 risky image(s) (risk_status YES): payments-api:1.4.2",
			}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			step := tc.step
			for _, v := range tc.verdicts {
				if tc.planOnly {
					step.PlanOnly = true
					step.ConfigPlanChecks.PostApplyPostRefresh = append(step.ConfigPlanChecks.PostApplyPostRefresh, v)
				} else {
					step.ConfigPlanChecks.PreApply = append(step.ConfigPlanChecks.PreApply, v)
				}
			}
			exampleTest(t, step)
		})
	}
}

// The plans above reach the policy through terraform-json, which has no
// field for action_reason, so they carry none. `terraform show -json` writes
// one for every deferred read: the policy names it.
func TestPolicy_deferredReadNamesTerraformsReason(t *testing.T) {
	plan := []byte(`{"resource_changes": [{
  "address": "module.app.data.sas_image_instances.release", "mode": "data", "type": "sas_image_instances",
  "action_reason": "read_because_dependency_pending",
  "change": {"actions": ["read"], "after": {"criteria": null}, "after_unknown": {"images": true, "summary": true}}
}]}`)
	got, err := evaluatePolicy(t.Context(), plan, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := matchMessages("deny", got.deny, []string{
		"module.app.data.sas_image_instances.release: image risk unknown until apply: the data source is read during apply (read_because_dependency_pending), so",
	}); err != nil {
		t.Fatal(err)
	}
}
