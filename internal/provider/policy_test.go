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

func TestAccPolicy(t *testing.T) {
	startDemo(t)
	// Each rule at every depth is in TestAccPolicyRules; these are results
	// of particular shapes.
	cases := []struct {
		name string
		step resource.TestStep
		// verdict is checked on the plan made before apply.
		verdict expectVerdict
	}{
		{
			// summary_only leaves images empty: the summary counts decide.
			name: "summary-only result is judged on its counts",
			step: resource.TestStep{Config: policyConfig(`
data "sas_image_instances" "prod" {
  criteria     = [{ name = "repoNamespace", value = "prod" }]
  summary_only = true
}`)},
			verdict: expectVerdict{deny: []string{
				"risky image(s) (risk_status YES): names not in the plan (summary_only)",
				"image(s) never successfully scanned, so their risk is unknown: names not in the plan (summary_only)",
			}},
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
			verdict: expectVerdict{deny: []string{
				"data.sas_image_instances.release: 1 risky image(s) (risk_status YES): payments-api:1.4.2",
			}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			step := tc.step
			step.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{tc.verdict}
			exampleTest(t, step)
		})
	}
}

// The acceptance tests' plans reach the policy through terraform-json, which has no
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
