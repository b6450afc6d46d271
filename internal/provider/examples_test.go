package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// The tests in this file run the examples under examples/ with real
// Terraform, from the examples' own directories, so what users copy is what
// is tested. The examples contain no test settings: like a user's CI, the
// tests configure the provider through the environment only.

// exampleDir is a test step configuration read from examples/<name>.
func exampleDir(name string) config.TestStepConfigFunc {
	return config.StaticDirectory("../../examples/" + name)
}

// demo is the fake SAS API serving fakesas.DemoImages, and those images by
// "repository:tag", to derive expected values from.
type demo struct {
	fake   *fakesas.Server
	images map[string]fakesas.Image
}

// startDemo starts the demo fake and points the provider at it through the
// environment, as examples expect.
func startDemo(t *testing.T) demo {
	t.Helper()
	images := fakesas.DemoImages(time.Now())
	d := demo{fake: startFake(t, fakesas.Options{Images: images}), images: map[string]fakesas.Image{}}
	for _, img := range images {
		d.images[fmt.Sprintf("%v:%v", img["RepoName"], img["Tag"])] = img
	}
	providerFromEnv(t, d.fake)
	// The examples require source = "terraform-sas/sas": terraform-plugin-testing
	// serves the in-process provider as registry.terraform.io/<namespace>/sas,
	// with this namespace (by default "hashicorp" and "-").
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "terraform-sas")
	return d
}

// providerFromEnv isolates the environment and sets what the provider
// needs to reach the fake.
func providerFromEnv(t *testing.T, fake *fakesas.Server) {
	t.Helper()
	isolateEnv(t)
	t.Setenv("ALIBABA_CLOUD_ENDPOINT_SAS", fake.Endpoint())
	t.Setenv("SAS_PROTOCOL", "HTTP")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", fakesas.TestAccessKey)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", fakesas.TestSecretKey)
}

func (d demo) image(t *testing.T, name string) fakesas.Image {
	t.Helper()
	img, ok := d.images[name]
	if !ok {
		t.Fatalf("no demo image %s", name)
	}
	return img
}

func (d demo) digest(t *testing.T, name string) string {
	return fmt.Sprint(d.image(t, name)["Digest"])
}

// count is an integer field of a demo image, such as "VulCount".
func (d demo) count(t *testing.T, name, field string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(fmt.Sprint(d.image(t, name)[field]), 10, 64)
	if err != nil {
		t.Fatalf("demo image %s: %s = %v is not a count", name, field, d.image(t, name)[field])
	}
	return n
}

// riskCounts are the vulnerability, baseline risk and alert counts of a
// demo image, for the sentences the gate examples print.
func (d demo) riskCounts(t *testing.T, name string) (vul, hc, alarm int64) {
	return d.count(t, name, "VulCount"), d.count(t, name, "HcCount"), d.count(t, name, "AlarmCount")
}

// lastScannedAt is the image's last_scanned_at as the provider renders it.
func (d demo) lastScannedAt(t *testing.T, name string) string {
	ms, ok := d.image(t, name)["LastScanTime"].(int64)
	if !ok || ms <= 0 {
		t.Fatalf("demo image %s was never scanned", name)
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// pinnedImage is the digest-pinned reference gate-precondition deploys.
func (d demo) pinnedImage(t *testing.T, name string) string {
	repo, _, _ := strings.Cut(name, ":")
	return "registry.cn-hangzhou.aliyuncs.com/prod/" + repo + "@sha256:" + d.digest(t, name)
}

// release is the variables of an example for the image "repository:tag".
func release(name string, extra ...string) config.Variables {
	repo, tag, _ := strings.Cut(name, ":")
	vars := config.Variables{"repository": config.StringVariable(repo), "release_tag": config.StringVariable(tag)}
	for k := 0; k+1 < len(extra); k += 2 {
		vars[extra[k]] = config.StringVariable(extra[k+1])
	}
	return vars
}

// exampleTest runs the steps with the in-process provider. The factories go
// on each step: terraform-plugin-testing takes a provider block in the
// configuration (examples/provider has one) for providers of the step, and
// refuses those together with providers of the test case.
func exampleTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	for k := range steps {
		steps[k].ProtoV6ProviderFactories = testProviderFactories
	}
	stopWithin(t, accDeadline, "the example's Terraform run")
	resource.Test(t, resource.TestCase{Steps: steps})
}

// gateCase is one run of a gate example: either the gate stops it with an
// error, or it passes and the state checks hold.
type gateCase struct {
	name   string
	vars   config.Variables
	err    *regexp.Regexp
	checks []statecheck.StateCheck
}

func runGateCases(t *testing.T, example string, cases []gateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exampleTest(t, resource.TestStep{
				ConfigDirectory:   exampleDir(example),
				ConfigVariables:   tc.vars,
				ExpectError:       tc.err,
				ConfigStateChecks: tc.checks,
			})
		})
	}
}

func expectOutput(name string, value string) statecheck.StateCheck {
	return statecheck.ExpectKnownOutputValue(name, knownvalue.StringExact(value))
}

func TestAccExampleLookup(t *testing.T) {
	d := startDemo(t)
	runGateCases(t, "lookup", []gateCase{
		{
			name: "a risky image is found, not gated",
			vars: release("payments-api:1.4.2"),
			checks: []statecheck.StateCheck{
				expectOutput("image", "prod/payments-api:1.4.2"),
				expectOutput("digest", d.digest(t, "payments-api:1.4.2")),
				expectOutput("risk_status", "YES"),
				statecheck.ExpectKnownOutputValue("vulnerabilities", knownvalue.Int64Exact(d.count(t, "payments-api:1.4.2", "VulCount"))),
				statecheck.ExpectKnownOutputValue("scanned", knownvalue.Bool(true)),
				expectOutput("last_scanned_at", d.lastScannedAt(t, "payments-api:1.4.2")),
			},
		},
		{
			name: "a never scanned image reads as not scanned",
			vars: release("checkout-web:2.0.0", "namespace", "prod"),
			checks: []statecheck.StateCheck{
				expectOutput("digest", d.digest(t, "checkout-web:2.0.0")),
				expectOutput("risk_status", "NO"),
				statecheck.ExpectKnownOutputValue("scanned", knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.sas_image_instances.release", imageAttr(0, "last_scanned_at"), knownvalue.Null()),
			},
		},
		{
			name: "no match fails instead of describing nothing",
			vars: release("payments-api:1.4.2", "namespace", "staging"),
			err:  errorMatching("Resource postcondition failed", "Expected exactly one image payments-api:1.4.2 in Security Center, found 0."),
		},
	})
}

func TestAccExampleGatePostcondition(t *testing.T) {
	d := startDemo(t)
	vul, hc, alarm := d.riskCounts(t, "payments-api:1.4.2")
	runGateCases(t, "gate-postcondition", []gateCase{
		{
			name: "vulnerable image fails the plan",
			vars: release("payments-api:1.4.2"),
			err: errorMatching("Resource postcondition failed",
				fmt.Sprintf("Image payments-api:1.4.2 is risky: %d vulnerabilities, %d baseline risks, %d security alerts.", vul, hc, alarm)),
		},
		{
			name: "never scanned image fails the plan",
			vars: release("checkout-web:2.0.0"),
			err: errorMatching("Resource postcondition failed",
				"Image checkout-web:2.0.0 has not been scanned by Security Center yet, so its risk is unknown."),
		},
		{
			name: "unknown image fails the plan",
			vars: release("payments-api:1.4.3", "namespace", "staging"),
			err: errorMatching("Resource postcondition failed",
				"Image payments-api:1.4.3 is not known to Security Center, so its risk was never checked."),
		},
		{
			name: "clean image passes",
			vars: release("payments-api:1.4.3", "namespace", "prod"),
			checks: []statecheck.StateCheck{
				expectOutput("digest", d.digest(t, "payments-api:1.4.3")),
				expectOutput("last_scanned_at", d.lastScannedAt(t, "payments-api:1.4.3")),
			},
		},
	})
}

func TestAccExampleGatePrecondition(t *testing.T) {
	d := startDemo(t)
	vul, hc, alarm := d.riskCounts(t, "payments-api:1.4.2")
	const deployment = "terraform_data.deployment"
	riskyStep := resource.TestStep{
		ConfigDirectory: exampleDir("gate-precondition"),
		ConfigVariables: release("payments-api:1.4.2"),
		ExpectError: errorMatching("Resource precondition failed",
			fmt.Sprintf("Not deploying payments-api:1.4.2: Security Center reports risk (%d vulnerabilities, %d baseline risks, %d alerts).", vul, hc, alarm)),
	}
	cleanDeployed := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(deployment, tfjsonpath.New("input"), knownvalue.StringExact(d.pinnedImage(t, "payments-api:1.4.3"))),
		expectOutput("deployed_image", d.pinnedImage(t, "payments-api:1.4.3")),
	}
	exampleTest(t,
		riskyStep,
		resource.TestStep{
			ConfigDirectory: exampleDir("gate-precondition"),
			ConfigVariables: release("checkout-web:2.0.0"),
			ExpectError: errorMatching("Resource precondition failed",
				"Not deploying checkout-web:2.0.0: Security Center has not scanned it yet (scan status INIT), so its risk is unknown."),
		},
		// The lookup itself fails closed on an image Security Center does not know.
		resource.TestStep{
			ConfigDirectory: exampleDir("gate-precondition"),
			ConfigVariables: release("payments-api:9.9.9"),
			ExpectError:     errorMatching("No Security Center image matches", `No image matches repo_name = "payments-api", tag = "9.9.9"`),
		},
		// The blocked steps created nothing: the clean image's deployment
		// is a creation, of the digest-pinned image.
		resource.TestStep{
			ConfigDirectory: exampleDir("gate-precondition"),
			ConfigVariables: release("payments-api:1.4.3"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(deployment, plancheck.ResourceActionCreate),
			}},
			ConfigStateChecks: cleanDeployed,
		},
		// Updating the running deployment to the risky image is blocked
		// too, and leaves it on the clean image.
		riskyStep,
		resource.TestStep{
			ConfigDirectory: exampleDir("gate-precondition"),
			ConfigVariables: release("payments-api:1.4.3"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
			ConfigStateChecks: cleanDeployed,
		},
	)
}

func TestAccExampleGateCheck(t *testing.T) {
	d := startDemo(t)
	cases := []struct {
		name     string
		image    string
		status   string
		problems []string
	}{
		{"risky image deploys with a warning", "payments-api:1.4.2", "fail",
			[]string{fmt.Sprintf("Image payments-api:1.4.2 is risky: %d vulnerabilities. Deploying it anyway; fix it and release a new tag.", d.count(t, "payments-api:1.4.2", "VulCount"))}},
		{"never scanned image deploys with a warning", "checkout-web:2.0.0", "fail",
			[]string{"Image checkout-web:2.0.0 has not been scanned by Security Center yet, so its risk is unknown."}},
		{"clean image deploys without warning", "payments-api:1.4.3", "pass", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Plan and apply succeed (no ExpectError), the deployment is
			// created, and the check's result holds the warning text.
			exampleTest(t, resource.TestStep{
				ConfigDirectory: exampleDir("gate-check"),
				ConfigVariables: release(tc.image),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("terraform_data.deployment", tfjsonpath.New("output"), knownvalue.StringExact(tc.image)),
					expectCheckResult{address: "check.release_image_risk", status: tc.status, problems: tc.problems},
				},
			})
		})
	}
}

func TestAccExampleGateFreshness(t *testing.T) {
	d := startDemo(t)
	withMaxAge := func(name string, days int) config.Variables {
		vars := release(name)
		vars["max_scan_age_days"] = config.IntegerVariable(days)
		return vars
	}
	runGateCases(t, "gate-freshness", []gateCase{
		{
			name: "scan 120 days old fails with 30 days allowed",
			vars: withMaxAge("auth-service:3.1.0", 30),
			err: errorMatching("Resource postcondition failed",
				"Image auth-service:3.1.0 was last scanned at "+d.lastScannedAt(t, "auth-service:3.1.0")+", more than 30 days ago"),
		},
		{
			name: "never scanned image fails",
			vars: withMaxAge("checkout-web:2.0.0", 30),
			err: errorMatching("Resource postcondition failed",
				"Image checkout-web:2.0.0 was never scanned by Security Center, so its risk is unknown."),
		},
		{
			name: "scan 3 hours old passes",
			vars: withMaxAge("payments-api:1.4.3", 30),
			checks: []statecheck.StateCheck{
				expectOutput("last_scanned_at", d.lastScannedAt(t, "payments-api:1.4.3")),
			},
		},
		{
			name: "scan 120 days old passes with 150 days allowed",
			vars: withMaxAge("auth-service:3.1.0", 150),
			checks: []statecheck.StateCheck{
				expectOutput("last_scanned_at", d.lastScannedAt(t, "auth-service:3.1.0")),
			},
		},
	})
}

// TestAccExampleRegistryDocs runs the examples rendered into the provider
// and data source pages. The data source examples, as is usual on those
// pages, have no required_providers block, so Terraform resolves "sas" to
// hashicorp/sas, terraform-plugin-testing's default namespace.
func TestAccExampleRegistryDocs(t *testing.T) {
	d := startDemo(t)
	cases := []struct {
		example   string
		namespace string
		checks    []statecheck.StateCheck
	}{
		{"provider", "terraform-sas", nil},
		{"data-sources/sas_image_instances", "", []statecheck.StateCheck{
			expectOutput("release_digest", d.digest(t, "payments-api:1.4.3")),
			statecheck.ExpectKnownValue("data.sas_image_instances.prod", tfjsonpath.New("summary").AtMapKey("images"), knownvalue.Int64Func(func(n int64) error {
				if n < 4 {
					return fmt.Errorf("%d images in prod, want the 4 named demo images at least", n)
				}
				return nil
			})),
			statecheck.ExpectKnownValue("data.sas_image_instances.prod", tfjsonpath.New("images"), knownvalue.ListSizeExact(0)),
		}},
		{"data-sources/sas_image_instance", "", []statecheck.StateCheck{
			expectOutput("release_image", d.pinnedImage(t, "payments-api:1.4.3")),
			statecheck.ExpectKnownOutputValue("release_is_clean", knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("data.sas_image_instance.by_digest", tfjsonpath.New("uuid"), knownvalue.StringExact(fakesas.DemoUUIDPaymentsClean)),
			statecheck.ExpectKnownValue("data.sas_image_instance.latest", tfjsonpath.New("uuid"), knownvalue.StringExact(fakesas.DemoUUIDPaymentsClean)),
		}},
		{"data-sources/sas_image_criteria", "", []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("registry_types", knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("acr"), knownvalue.StringExact("harbor"), knownvalue.StringExact("quay"), knownvalue.StringExact("CI/CD"),
			})),
			statecheck.ExpectKnownOutputValue("criteria_matching_payments", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("repoName")})),
		}},
		{"data-sources/sas_image_baselines", "", baselinesDocChecks(t, d)},
	}
	for _, tc := range cases {
		t.Run(tc.example, func(t *testing.T) {
			t.Setenv("TF_ACC_PROVIDER_NAMESPACE", tc.namespace)
			exampleTest(t, resource.TestStep{ConfigDirectory: exampleDir(tc.example), ConfigStateChecks: tc.checks})
		})
	}
}

// expectCheckResult checks the result Terraform recorded in the state for a
// check block: its status and the messages of its failed assertions, which
// are the text of the warnings Terraform prints.
type expectCheckResult struct {
	address  string
	status   string
	problems []string
}

func (e expectCheckResult) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var seen []string
	for _, c := range req.State.Checks {
		seen = append(seen, c.Address.ToDisplay)
		if c.Address.ToDisplay != e.address {
			continue
		}
		var problems []string
		for _, instance := range c.Instances {
			for _, p := range instance.Problems {
				problems = append(problems, p.Message)
			}
		}
		if string(c.Status) != e.status || !slices.Equal(problems, e.problems) {
			resp.Error = fmt.Errorf("%s: status %s with problems %q, want status %s with problems %q", e.address, c.Status, problems, e.status, e.problems)
		}
		return
	}
	resp.Error = fmt.Errorf("no result for %s in the state (results for %q)", e.address, seen)
}

// gateBaselines is how the gate-baselines example judges an image, worked
// out from the fake's baselines: the unfixed high-level baselines with an
// open check item that is not whitelisted block; the other unfixed
// high-level ones are let through as whitelisted.
func gateBaselines(image fakesas.Image) (blocking, whitelisted []string) {
	for _, b := range fakesas.ImageBaselines(image) {
		if b.Level != "high" || b.Status != fakesas.BaselineStatusUnfixed {
			continue
		}
		open := slices.ContainsFunc(b.Items, func(i fakesas.BaselineItem) bool {
			return i.Status != fakesas.BaselineItemStatusFixed && !i.Whitelisted
		})
		if open {
			blocking = append(blocking, b.Name.En)
		} else {
			whitelisted = append(whitelisted, b.Name.En)
		}
	}
	return blocking, whitelisted
}

// findImage returns the "repository:tag" of the first image that is
// scanned, unique by that name, and satisfies want.
func (d demo) findImage(t *testing.T, what string, want func(fakesas.Image) bool) string {
	t.Helper()
	for _, image := range d.fake.Images() {
		name := fmt.Sprintf("%v:%v", image["RepoName"], image["Tag"])
		if image["ScaStatus"] == "SUCCESS" && d.images[name] != nil && fmt.Sprint(d.images[name]["Uuid"]) == fmt.Sprint(image["Uuid"]) && want(image) {
			return name
		}
	}
	t.Fatalf("no demo image %s", what)
	return ""
}

// addWhitelistedImage adds payments-api:1.5.0 to the demo: an image whose
// unfixed high-level baselines all have every open item whitelisted.
func (d demo) addWhitelistedImage(t *testing.T) string {
	t.Helper()
	for k := range 1000 {
		image := img(fmt.Sprintf("5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d%04d", k), "payments-api", "1.5.0",
			fakesas.Image{"HcCount": 6, "HcStatus": "YES", "RiskStatus": "YES", "Digest": strings.Repeat("5a", 32)})
		if blocking, whitelisted := gateBaselines(image); len(blocking) == 0 && len(whitelisted) > 0 {
			d.fake.SetImages(append(d.fake.Images(), image))
			d.images["payments-api:1.5.0"] = image
			return "payments-api:1.5.0"
		}
	}
	t.Fatal("no image with only whitelisted high-level baselines")
	return ""
}

func TestAccExampleGateBaselines(t *testing.T) {
	d := startDemo(t)
	hasBaselines := func(image fakesas.Image) bool { return len(fakesas.ImageBaselines(image)) > 0 }
	blocked := d.findImage(t, "with blocking baselines", func(image fakesas.Image) bool {
		blocking, _ := gateBaselines(image)
		return len(blocking) > 0
	})
	clean := d.findImage(t, "with high-level baselines, none blocking", func(image fakesas.Image) bool {
		blocking, whitelisted := gateBaselines(image)
		return len(blocking) == 0 && len(whitelisted) == 0 && slices.ContainsFunc(fakesas.ImageBaselines(image), func(b fakesas.Baseline) bool { return b.Level == "high" })
	})
	lowOnly := d.findImage(t, "with baselines, none high-level", func(image fakesas.Image) bool {
		return hasBaselines(image) && !slices.ContainsFunc(fakesas.ImageBaselines(image), func(b fakesas.Baseline) bool { return b.Level == "high" })
	})
	whitelistedImage := d.addWhitelistedImage(t)
	blocking, _ := gateBaselines(d.image(t, blocked))
	_, whitelisted := gateBaselines(d.image(t, whitelistedImage))

	withNamespace := func(name string) config.Variables {
		return release(name, "namespace", fmt.Sprint(d.image(t, name)["RepoNamespace"]))
	}
	passes := func(name string, whitelisted []string) []statecheck.StateCheck {
		image := d.image(t, name)
		names := make([]knownvalue.Check, len(whitelisted))
		for k, n := range whitelisted {
			names[k] = knownvalue.StringExact(n)
		}
		return []statecheck.StateCheck{
			expectOutput("deployed_image", fmt.Sprintf("%v/%v@sha256:%v", image["RepoNamespace"], image["RepoName"], image["Digest"])),
			statecheck.ExpectKnownOutputValue("whitelisted_baselines", knownvalue.ListExact(names)),
		}
	}
	runGateCases(t, "gate-baselines", []gateCase{
		{
			name: "unfixed high-level baselines block, named",
			vars: withNamespace(blocked),
			err: errorMatching("Resource precondition failed",
				fmt.Sprintf("Not deploying %s: unfixed high-level baseline risks that are not whitelisted: %s.", blocked, strings.Join(blocking, ", "))),
		},
		{
			name: "never scanned image blocks",
			vars: release("checkout-web:2.0.0"),
			err: errorMatching("Resource precondition failed",
				"Not deploying checkout-web:2.0.0: Security Center has not scanned it yet, so its baseline risks are unknown."),
		},
		{name: "fixed high-level baselines pass", vars: withNamespace(clean), checks: passes(clean, nil)},
		{name: "medium and low baselines pass", vars: withNamespace(lowOnly), checks: passes(lowOnly, nil)},
		{name: "whitelisted high-level baselines pass, reported", vars: withNamespace(whitelistedImage), checks: passes(whitelistedImage, whitelisted)},
		{name: "an image without baseline risks passes", vars: release("payments-api:1.4.3"), checks: passes("payments-api:1.4.3", nil)},
	})
}

// baselinesDocChecks are the outputs of the sas_image_baselines page's
// example, worked out from the demo images and the fake's baselines.
func baselinesDocChecks(t *testing.T, d demo) []statecheck.StateCheck {
	t.Helper()
	unfixed := map[string]knownvalue.Check{}
	var first fakesas.Image
	for _, image := range d.fake.Images() {
		baselines := fakesas.ImageBaselines(image)
		if image["RepoNamespace"] != "prod" || image["HcStatus"] != "YES" || len(baselines) == 0 {
			continue // not in the lookup: another namespace, no risks, or not scanned
		}
		if first == nil {
			first = image
		}
		var names []knownvalue.Check
		for _, b := range baselines {
			if b.Level == "high" && b.Status == fakesas.BaselineStatusUnfixed {
				names = append(names, knownvalue.StringExact(b.Name.En))
			}
		}
		if len(names) > 0 {
			unfixed[fmt.Sprintf("%v:%v", image["RepoName"], image["Tag"])] = knownvalue.ListExact(names)
		}
	}
	if len(unfixed) == 0 {
		t.Fatal("no prod demo image has unfixed high-level baselines: the example would show nothing")
	}
	open := []knownvalue.Check{}
	for _, b := range fakesas.ImageBaselines(first) {
		for _, item := range b.Items {
			if item.Status != fakesas.BaselineItemStatusFixed && !item.Whitelisted {
				open = append(open, knownvalue.StringExact(fmt.Sprintf("%s: %s (%s)", b.Name.En, item.Name.En, wantItemStatus[item.Status])))
			}
		}
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("unfixed_high_level_baselines", knownvalue.MapExact(unfixed)),
		statecheck.ExpectKnownOutputValue("open_check_items", knownvalue.ListExact(open)),
	}
}

// startScanDemo is startDemo with the fake's scan tasks configured, and the
// provider polling every 10ms instead of 5s.
func startScanDemo(t *testing.T, scan fakesas.ScanOptions) demo {
	t.Helper()
	images := fakesas.DemoImages(time.Now())
	d := demo{fake: startFake(t, fakesas.Options{Images: images, Scan: scan}), images: map[string]fakesas.Image{}}
	for _, img := range images {
		d.images[fmt.Sprintf("%v:%v", img["RepoName"], img["Tag"])] = img
	}
	providerFromEnv(t, d.fake)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "terraform-sas")
	t.Setenv(envScanPollInterval, "10ms")
	return d
}

// scanRelease is the variables of scan-then-gate for the image "repository:tag".
func (d demo) scanRelease(t *testing.T, name string) config.Variables {
	repo, _, _ := strings.Cut(name, ":")
	return config.Variables{
		"repository":   config.StringVariable(repo),
		"namespace":    config.StringVariable("prod"),
		"image_digest": config.StringVariable("sha256:" + d.digest(t, name)),
	}
}

func TestAccExampleScanThenGate(t *testing.T) {
	const deployment = "terraform_data.deployment"
	t.Run("a clean image never scanned before is scanned and deploys", func(t *testing.T) {
		d := startScanDemo(t, fakesas.ScanOptions{Duration: 200 * time.Millisecond})
		const name = "checkout-web:2.0.0"
		if d.image(t, name)["ScaStatus"] != "INIT" {
			t.Fatalf("%s must start never scanned", name)
		}
		exampleTest(t, resource.TestStep{
			ConfigDirectory: exampleDir("scan-then-gate"),
			ConfigVariables: d.scanRelease(t, name),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("sas_image_scan.release", plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction(deployment, plancheck.ResourceActionCreate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(deployment, tfjsonpath.New("input"), knownvalue.StringExact(d.pinnedImage(t, name))),
				expectOutput("deployed_image", d.pinnedImage(t, name)),
				expectOutput("scan_task_id", fakesas.ScanTaskID(0, 1)),
				expectScanTask{addr: "sas_image_scan.release", fake: d.fake, n: 1, status: "SUCCESS"},
			},
		})
		requireScanTasks(t, d.fake, 1, 1)
	})
	t.Run("a vulnerable image is scanned and blocked", func(t *testing.T) {
		d := startScanDemo(t, fakesas.ScanOptions{Duration: 200 * time.Millisecond})
		const name = "payments-api:1.4.2"
		exampleTest(t, resource.TestStep{
			ConfigDirectory: exampleDir("scan-then-gate"),
			ConfigVariables: d.scanRelease(t, name),
			ExpectError: errorMatching("Resource precondition failed",
				fmt.Sprintf("Not deploying %s: Security Center reports risk (%v vulnerabilities, 0 baseline risks, 0 alerts).", name, d.image(t, name)["VulCount"])),
		})
		requireScanTasks(t, d.fake, 1, 1)
	})
	t.Run("a scan that fails stops the apply before the deployment", func(t *testing.T) {
		const name = "auth-service:3.1.0"
		var digest string
		for _, img := range fakesas.DemoImages(time.Now()) {
			if fmt.Sprintf("%v:%v", img["RepoName"], img["Tag"]) == name {
				digest = fmt.Sprint(img["Digest"])
			}
		}
		d := startScanDemo(t, fakesas.ScanOptions{Duration: 200 * time.Millisecond, Outcomes: map[string]string{digest: fakesas.ScanFail}})
		failed := resource.TestStep{
			ConfigDirectory: exampleDir("scan-then-gate"),
			ConfigVariables: d.scanRelease(t, name),
			ExpectError:     errorMatching("Image scan failed", "Scan task "+fakesas.ScanTaskID(0, 1)+" of image sha256:"+digest+" ended with status FAIL"),
		}
		again := failed
		again.ExpectError = errorMatching("Image scan failed", "Scan task "+fakesas.ScanTaskID(0, 2))
		// Nothing was deployed: the next apply would create the deployment,
		// and it scans again, replacing the failed (tainted) scan.
		again.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(deployment, plancheck.ResourceActionCreate),
			expectTaintedScan{addr: "sas_image_scan.release", taskID: fakesas.ScanTaskID(0, 1)},
		}}
		exampleTest(t, failed, again)
		requireScanTasks(t, d.fake, 2, 2)
	})
}

// TestAccExampleImageScanResource runs the example of the resource's page.
// Like the data source examples it has no required_providers block.
func TestAccExampleImageScanResource(t *testing.T) {
	d := startScanDemo(t, fakesas.ScanOptions{Duration: 100 * time.Millisecond})
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	const name = "checkout-web:2.0.0"
	exampleTest(t, resource.TestStep{
		ConfigDirectory: exampleDir("resources/sas_image_scan"),
		ConfigVariables: config.Variables{"image_digest": config.StringVariable("sha256:" + d.digest(t, name))},
		ConfigStateChecks: []statecheck.StateCheck{
			expectOutput("scan_status", "SUCCESS"),
			expectScanTask{addr: "sas_image_scan.release", fake: d.fake, n: 1, status: "SUCCESS"},
		},
	})
	requireScanTasks(t, d.fake, 1, 1)
	if q := d.fake.ScanTasks()[0].Query; q.Get("RepoNames") != "checkout-web" || q.Get("RepoNamespaces") != "prod" || q.Get("Digests") != d.digest(t, name) {
		t.Errorf("the example's scope reached the API as %v", q)
	}
}
