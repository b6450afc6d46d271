package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// The vulnerability gates under examples/, run with real Terraform against
// the fake; expected messages are derived from the fake's rows.

// startExampleFake serves images and points the provider at them through
// the environment, as the examples expect.
func startExampleFake(t *testing.T, images []fakesas.Image) *fakesas.Server {
	t.Helper()
	fake := startFake(t, fakesas.Options{Images: images})
	providerFromEnv(t, fake)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "terraform-sas")
	return fake
}

// imageVars are the variables that select exactly this image.
func imageVars(image fakesas.Image, extra config.Variables) config.Variables {
	vars := config.Variables{
		"repository":  config.StringVariable(fmt.Sprint(image["RepoName"])),
		"release_tag": config.StringVariable(fmt.Sprint(image["Tag"])),
		"namespace":   config.StringVariable(fmt.Sprint(image["RepoNamespace"])),
	}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

func imageName(image fakesas.Image) string {
	return fmt.Sprintf("%v:%v", image["RepoName"], image["Tag"])
}

// liveRows are the rows of an image that are not fixed: what the gates
// look at (statuses = ["unfixed", "fixing"]).
func liveRows(fake *fakesas.Server, image fakesas.Image) []fakesas.Record {
	var out []fakesas.Record
	for _, r := range fake.VulnerabilityRows(fmt.Sprint(image["Uuid"])) {
		if status, _ := wireInt(r["Status"]); status != 7 {
			out = append(out, r)
		}
	}
	return out
}

// updateCmd is the gates' rendering of a row's fix command.
func updateCmd(t *testing.T, r fakesas.Record) string {
	packages, _ := wireObject(t, r["ExtendContentJson"])["RpmEntityList"].([]any)
	if len(packages) == 0 {
		return "see the Security Center console"
	}
	if cmd := fmt.Sprint(packages[0].(map[string]any)["UpdateCmd"]); cmd != "" {
		return cmd
	}
	return "see the Security Center console"
}

func packageName(t *testing.T, r fakesas.Record) string {
	packages, _ := wireObject(t, r["ExtendContentJson"])["RpmEntityList"].([]any)
	return fmt.Sprint(packages[0].(map[string]any)["Name"])
}

// uniqueIn reports whether no other image has the same repository, tag and
// namespace, so the example's lookup finds exactly this one.
func uniqueIn(images []fakesas.Image, image fakesas.Image) bool {
	n := 0
	for _, other := range images {
		if other["RepoName"] == image["RepoName"] && other["Tag"] == image["Tag"] && other["RepoNamespace"] == image["RepoNamespace"] {
			n++
		}
	}
	return n == 1
}

// byUUID picks an image the examples' lookup finds alone.
func byUUID(t *testing.T, images []fakesas.Image, uuid string) fakesas.Image {
	t.Helper()
	image := pickImage(t, images, func(img fakesas.Image) bool { return img["Uuid"] == uuid })
	if !uniqueIn(images, image) {
		t.Fatalf("%s is not the only %s in its namespace", uuid, imageName(image))
	}
	return image
}

func TestAccExampleGateFixable(t *testing.T) {
	images := append(fakesas.DemoImages(time.Now()), fakesas.GenerateImages(300, 12)...)
	fake := startExampleFake(t, images)
	urgentFixable := func(img fakesas.Image) []fakesas.Record {
		var out []fakesas.Record
		for _, r := range liveRows(fake, img) {
			if r["Necessity"] == "asap" && r["CanFix"] == "yes" {
				out = append(out, r)
			}
		}
		return out
	}
	priorities := func(img fakesas.Image) knownvalue.Check {
		counts := map[string]int64{}
		for _, r := range liveRows(fake, img) {
			counts[fmt.Sprint(r["Necessity"])]++
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"asap": knownvalue.Int64Exact(counts["asap"]), "later": knownvalue.Int64Exact(counts["later"]), "nntf": knownvalue.Int64Exact(counts["nntf"]),
		})
	}

	vulnerable := byUUID(t, images, fakesas.DemoUUIDPaymentsVulnerable)
	offenders := urgentFixable(vulnerable)
	if len(offenders) == 0 {
		t.Fatal("payments-api:1.4.2 has no urgent fixable vulnerability in the demo dataset: the gate has nothing to block")
	}
	blocked := []string{"Resource precondition failed",
		fmt.Sprintf("Not deploying payments-api:1.4.2: %d urgent vulnerabilities have a fix. Upgrade the packages and release a new tag:", len(offenders))}
	for _, r := range offenders[:min(5, len(offenders))] {
		blocked = append(blocked, fmt.Sprintf("%v in %s: %s", r["Name"], packageName(t, r), updateCmd(t, r)))
	}
	// Livable: an image with urgent vulnerabilities that have no fix and
	// fixable ones that are not urgent, but none both, passes.
	livable := pickImage(t, images, func(img fakesas.Image) bool {
		urgentUnfixable, laterFixable := false, false
		for _, r := range liveRows(fake, img) {
			urgentUnfixable = urgentUnfixable || (r["Necessity"] == "asap" && r["CanFix"] == "no")
			laterFixable = laterFixable || (r["Necessity"] != "asap" && r["CanFix"] == "yes")
		}
		return img["ScaStatus"] == "SUCCESS" && urgentUnfixable && laterFixable && len(urgentFixable(img)) == 0 && uniqueIn(images, img)
	})
	clean := byUUID(t, images, fakesas.DemoUUIDPaymentsClean)

	runGateCases(t, "gate-fixable", []gateCase{
		{name: "urgent fixable vulnerabilities block, listing them", vars: imageVars(vulnerable, nil), err: errorMatching(blocked...)},
		{name: "a never scanned image is blocked", vars: imageVars(byUUID(t, images, fakesas.DemoUUIDCheckoutUnscanned), nil),
			err: errorMatching("Resource precondition failed", "Not deploying checkout-web:2.0.0: Security Center has not scanned it yet, so its vulnerabilities are unknown.")},
		{name: "an unknown image is blocked", vars: imageVars(clean, config.Variables{"namespace": config.StringVariable("staging")}),
			err: errorMatching("Resource postcondition failed", "Expected exactly one image payments-api:1.4.3 in Security Center, found 0.")},
		{name: "an image with only fixed vulnerabilities passes", vars: imageVars(clean, nil), checks: []statecheck.StateCheck{
			expectOutput("deployed_image", "payments-api:1.4.3"),
			statecheck.ExpectKnownOutputValue("vulnerabilities_by_priority", priorities(clean)),
		}},
		{name: "vulnerabilities that are not urgent or have no fix pass", vars: imageVars(livable, nil), checks: []statecheck.StateCheck{
			expectOutput("deployed_image", imageName(livable)),
			statecheck.ExpectKnownOutputValue("vulnerabilities_by_priority", priorities(livable)),
		}},
	})
}

// severityFacts are what gate-severity decides on, from the wire.
type severityFacts struct {
	severeFixable []fakesas.Record
	unknown       []string
	maxScore      float64
}

func severityOfImage(fake *fakesas.Server, img fakesas.Image) severityFacts {
	var f severityFacts
	for _, r := range liveRows(fake, img) {
		cves := fake.VulnerabilityDetails(fmt.Sprint(r["Name"]))
		level := severityOf(cves)
		if (level == "serious" || level == "high") && r["CanFix"] == "yes" {
			f.severeFixable = append(f.severeFixable, r)
		}
		if level == "" {
			f.unknown = append(f.unknown, fmt.Sprint(r["Name"]))
		}
		if s, ok := maxScoreOf(cves); ok {
			f.maxScore = max(f.maxScore, s)
		}
	}
	return f
}

func TestAccExampleGateSeverity(t *testing.T) {
	images := append(fakesas.DemoImages(time.Now()), fakesas.GenerateImages(300, 12)...)
	fake := startExampleFake(t, images)
	facts := func(img fakesas.Image) severityFacts { return severityOfImage(fake, img) }
	scannedUnique := func(img fakesas.Image) bool { return img["ScaStatus"] == "SUCCESS" && uniqueIn(images, img) }

	vulnerable := byUUID(t, images, fakesas.DemoUUIDPaymentsVulnerable)
	severe := facts(vulnerable).severeFixable
	if len(severe) == 0 {
		t.Fatal("payments-api:1.4.2 has no serious or high fixable vulnerability in the demo dataset")
	}
	blocked := []string{"Resource precondition failed", fmt.Sprintf("Not deploying payments-api:1.4.2: %d serious or high vulnerabilities have a fix:", len(severe))}
	for _, r := range severe[:min(5, len(severe))] {
		cves := fake.VulnerabilityDetails(fmt.Sprint(r["Name"]))
		score, ok := maxScoreOf(cves)
		scoreText := "unknown"
		if ok {
			scoreText = strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", score), "0"), ".")
		}
		blocked = append(blocked, fmt.Sprintf("%v (%s, CVSS %s): %s", r["Name"], severityOf(cves), scoreText, updateCmd(t, r)))
	}
	// High scores without a fix: only the max_cvss rule blocks them.
	scoreOnly := pickImage(t, images, func(img fakesas.Image) bool {
		f := facts(img)
		return scannedUnique(img) && len(f.severeFixable) == 0 && len(f.unknown) == 0 && f.maxScore >= 7
	})
	// Nothing severe, nothing above the score, but an unknown severity.
	unknown := pickImage(t, images, func(img fakesas.Image) bool {
		f := facts(img)
		return scannedUnique(img) && len(f.severeFixable) == 0 && len(f.unknown) > 0 && f.maxScore < 9
	})
	maxScore := facts(scoreOnly).maxScore
	withMax := func(img fakesas.Image, maxCVSS float64, extra ...string) config.Variables {
		vars := config.Variables{"max_cvss": config.FloatVariable(maxCVSS)}
		for k := 0; k+1 < len(extra); k += 2 {
			vars[extra[k]] = config.BoolVariable(extra[k+1] == "true")
		}
		return imageVars(img, vars)
	}
	scoreFmt := func(f float64) string { return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", f), "0"), ".") }

	runGateCases(t, "gate-severity", []gateCase{
		{name: "serious or high fixable CVEs block", vars: withMax(vulnerable, 10.1), err: errorMatching(blocked...)},
		{name: "a score at the limit blocks", vars: withMax(scoreOnly, maxScore),
			err: errorMatching("Resource precondition failed", fmt.Sprintf("Not deploying %s: a CVE scores CVSS %s, at least the %s allowed (max_cvss).", imageName(scoreOnly), scoreFmt(maxScore), scoreFmt(maxScore)))},
		{name: "a score below the limit passes", vars: withMax(scoreOnly, maxScore+0.1),
			checks: []statecheck.StateCheck{expectOutput("deployed_image", imageName(scoreOnly))}},
		{name: "an unknown severity blocks", vars: withMax(unknown, 9.5),
			err: errorMatching("Resource precondition failed",
				fmt.Sprintf("Not deploying %s: the severity of %d vulnerabilities is unknown (%s). Review them, then set allow_unknown_severity = true to deploy anyway.",
					imageName(unknown), len(facts(unknown).unknown), strings.Join(facts(unknown).unknown, ", ")))},
		{name: "an unknown severity passes when allowed", vars: withMax(unknown, 9.5, "allow_unknown_severity", "true"),
			checks: []statecheck.StateCheck{
				expectOutput("deployed_image", imageName(unknown)),
				statecheck.ExpectKnownOutputValue("severities", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"unknown": knownvalue.Int64Exact(int64(len(facts(unknown).unknown))),
				})),
			}},
		{name: "an image with only fixed vulnerabilities passes", vars: withMax(byUUID(t, images, fakesas.DemoUUIDPaymentsClean), 9),
			checks: []statecheck.StateCheck{expectOutput("deployed_image", "payments-api:1.4.3")}},
		{name: "a never scanned image is blocked", vars: withMax(byUUID(t, images, fakesas.DemoUUIDCheckoutUnscanned), 9),
			err: errorMatching("Resource precondition failed", "Not deploying checkout-web:2.0.0: Security Center has not scanned it yet")},
	})
}

func TestAccExampleVulnerabilitiesDataSource(t *testing.T) {
	images := fakesas.DemoImages(time.Now())
	fake := startExampleFake(t, images)
	vulnerable := byUUID(t, images, fakesas.DemoUUIDPaymentsVulnerable)
	rows := liveRows(fake, vulnerable)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	exampleTest(t, resource.TestStep{
		ConfigDirectory: exampleDir("data-sources/sas_image_vulnerabilities"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.sas_image_vulnerabilities.release", tfjsonpath.New("vulnerabilities"), rowsChecks(rows)),
			statecheck.ExpectKnownOutputValue("urgent_fixable", knownvalue.Int64Exact(int64(len(func() []fakesas.Record {
				var out []fakesas.Record
				for _, r := range rows {
					if r["Necessity"] == "asap" && r["CanFix"] == "yes" {
						out = append(out, r)
					}
				}
				return out
			}())))),
		},
	})
}

// terraformForTest finds the newest Terraform among TF_ACC_TERRAFORM_PATH
// and the terraform on PATH, or OpenTofu when TF_ACC_TERRAFORM_PATH names
// it, with its version.
func terraformForTest(t *testing.T) (bin string, version [3]int, tofu bool) {
	t.Helper()
	var candidates []string
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		candidates = append(candidates, p)
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		out, err := exec.Command(c, "version").Output()
		if err != nil {
			continue
		}
		m := regexp.MustCompile(`^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)`).FindStringSubmatch(string(out))
		if m == nil {
			continue
		}
		var v [3]int
		for k := range v {
			v[k], _ = strconv.Atoi(m[k+2])
		}
		if bin == "" || slices.Compare(v[:], version[:]) > 0 {
			bin, version, tofu = c, v, m[1] == "OpenTofu"
		}
	}
	return bin, version, tofu
}

// TestExampleGateFixableTerraformTest runs `terraform test` on the
// example's .tftest.hcl file: the gate blocks and passes with a mocked
// provider, without any API (a fake is listening, and must see nothing).
func TestExampleGateFixableTerraformTest(t *testing.T) {
	runExampleTerraformTest(t, "gate-fixable", "gate_fixable.tftest.hcl", "the blocking, passing and unscanned cases")
}

// runExampleTerraformTest runs `terraform test` on an example's test file,
// which has the runs named in wantRuns at least (three), with the provider
// built and installed as a development override; it skips on a CLI
// without mock_provider.
func runExampleTerraformTest(t *testing.T, example, file, wantRuns string) {
	t.Helper()
	bin, version, tofu := terraformForTest(t)
	switch {
	case bin == "":
		t.Skipf("no terraform on PATH or in TF_ACC_TERRAFORM_PATH: skipping terraform test of examples/%s", example)
	case tofu && slices.Compare(version[:], []int{1, 8, 0}) < 0:
		t.Skipf("OpenTofu %v has no mock_provider (1.8 added it): skipping terraform test of examples/%s", version, example)
	case !tofu && slices.Compare(version[:], []int{1, 7, 0}) < 0:
		t.Skipf("Terraform %v has no mock_provider (1.7 added it): skipping terraform test of examples/%s", version, example)
	}
	// Built before the environment is isolated: a fresh HOME would mean a
	// fresh Go build cache.
	work := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(work, "plugins", "terraform-provider-sas"), ".")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(time.Now())})
	providerFromEnv(t, fake)
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, fmt.Appendf(nil, "provider_installation {\n  dev_overrides {\n    \"terraform-sas/sas\" = %q\n  }\n  direct {}\n}\n", filepath.Join(work, "plugins")), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, example)
	if err := os.CopyFS(dir, os.DirFS("../../examples/"+example)); err != nil {
		t.Fatal(err)
	}
	testFile, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	runs := regexp.MustCompile(`(?m)^run "([^"]+)"`).FindAllStringSubmatch(string(testFile), -1)
	if len(runs) < 3 {
		t.Fatalf("%d runs in %s, want %s at least", len(runs), file, wantRuns)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "test", "-no-color")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s test: %v\n%s", bin, err, out)
	}
	for _, run := range runs {
		if !strings.Contains(string(out), fmt.Sprintf("run %q... pass", run[1])) {
			t.Errorf("run %q did not pass:\n%s", run[1], out)
		}
	}
	if !strings.Contains(string(out), fmt.Sprintf("%d passed, 0 failed", len(runs))) {
		t.Errorf("want %d passed, 0 failed:\n%s", len(runs), out)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("the mocked provider sent %d requests to the API", n)
	}
}
