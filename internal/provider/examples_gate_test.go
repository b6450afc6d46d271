package provider

import (
	"fmt"
	"regexp"
	"slices"
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

// The sas_image_gate examples, run with real Terraform against the fake:
// examples/gate (a release of three images behind one precondition), its
// terraform test with a mocked provider, and the registry page's example.
// The messages expected are worked out from the fake's accessors.

// gateRelease is the fake of examples/gate: the demo images, dated now,
// and four more scanned an hour ago: cart-api:2.3.0 and search-api:1.0.0
// clean, billing:9.0.0 with 40 vulnerabilities, ledger:1.0.0 with one
// unhandled secret and nothing else.
type gateRelease struct {
	demo
	secret fakesas.SensitiveFileType // ledger's
}

func startGateRelease(t *testing.T) gateRelease {
	t.Helper()
	r := gateRelease{demo: startDemo(t)}
	scanned := time.Now().Add(-time.Hour).UnixMilli()
	add := func(repo, tag string, vulCount int, want func(fakesas.Image) bool) fakesas.Image {
		for k := range 1000 {
			image := img(fmt.Sprintf("7a1c0000-0000-4000-8000-%012d", len(r.images)*1000+k), repo, tag, fakesas.Image{
				"Digest": fmt.Sprintf("%062x%02x", k, len(r.images)), "LastScanTime": scanned, "InstanceId": "cri-demo7h2k9x4m1q8w",
				"Endpoints": jsonList("registry.cn-hangzhou.aliyuncs.com/prod/" + repo + ":" + tag), "VulCount": vulCount,
			})
			if len(fakesas.ImageMaliciousFiles(image)) == 0 && want(image) {
				r.fake.SetImages(append(r.fake.Images(), image))
				r.images[repo+":"+tag] = image
				return image
			}
		}
		t.Fatalf("no digest for %s:%s", repo, tag)
		return nil
	}
	noSecret := func(image fakesas.Image) bool { return len(fakesas.ImageSensitiveFiles(image)) == 0 }
	add("cart-api", "2.3.0", 0, noSecret)
	add("search-api", "1.0.0", 0, noSecret)
	add("billing", "9.0.0", 40, noSecret)
	ledger := add("ledger", "1.0.0", 0, func(image fakesas.Image) bool {
		secrets := fakesas.ImageSensitiveFiles(image)
		return len(secrets) == 1 && secrets[0].Status == fakesas.SensitiveStatusUnhandled && secrets[0].Level != "low" && len(secrets[0].Files) <= 5
	})
	r.secret = fakesas.ImageSensitiveFiles(ledger)[0]
	return r
}

func jsonList(values ...string) string {
	return `["` + strings.Join(values, `","`) + `"]`
}

// vars are the example's variables for a release of "repository:tag"
// names, exceptions and at.
func (r gateRelease) vars(names []string, exceptions []map[string]string, at string) config.Variables {
	release := map[string]config.Variable{}
	for _, name := range names {
		repo, tag, _ := strings.Cut(name, ":")
		release[repo] = config.StringVariable(tag)
	}
	var list []config.Variable
	for _, e := range exceptions {
		obj := map[string]config.Variable{}
		for k, v := range e {
			if k == "scope" {
				obj[k] = config.ListVariable(config.StringVariable(v))
			} else {
				obj[k] = config.StringVariable(v)
			}
		}
		list = append(list, config.ObjectVariable(obj))
	}
	vars := config.Variables{"release": config.MapVariable(release), "exceptions": config.ListVariable(list...)}
	if at != "" {
		vars["at"] = config.StringVariable(at)
	}
	return vars
}

// records are the image records of a release, in the example's order:
// by repository name.
func (r gateRelease) records(t *testing.T, names []string) []fakesas.Image {
	t.Helper()
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	var out []fakesas.Image
	for _, name := range sorted {
		out = append(out, r.image(t, name))
	}
	return out
}

// reference is the image_reference of a demo record.
func reference(image fakesas.Image) string {
	return fmt.Sprintf("registry.cn-hangzhou.aliyuncs.com/prod/%s@sha256:%s", field(image, "RepoName"), field(image, "Digest"))
}

// blockedMessage is the example's precondition message for a release the
// example's policy blocks at at.
func (r gateRelease) blockedMessage(t *testing.T, names []string, at time.Time) []string {
	t.Helper()
	records := r.records(t, names)
	oracle := gateOracle{fake: r.fake, at: at, maxScanAge: 168 * time.Hour, vulns: &oracleVulns{necessities: []string{"asap"}, onlyFixable: true},
		baselines: []string{"high"}, secrets: []string{"high", "medium"}, malware: []string{"serious", "suspicious"}}
	violations := oracle.violations(t, records)
	if len(violations) == 0 {
		t.Fatalf("the policy lets %v through", names)
	}
	byUUID := map[string]fakesas.Image{}
	for _, rec := range records {
		byUUID[field(rec, "Uuid")] = rec
	}
	lines := []string{fmt.Sprintf("Release blocked: %d violation(s) in %d image(s):", len(violations), len(records))}
	for _, v := range violations[:min(10, len(violations))] {
		line := fmt.Sprintf("- %s in %s: %s", v.kind, reference(byUUID[v.uuid]), v.id)
		if fix, ok := oracleFix(t, r.fake, v); ok {
			line += " (fix: " + fix + ")"
		}
		lines = append(lines, line)
	}
	if len(violations) > 10 {
		lines = append(lines, "") // the message ends with the tenth
	}
	return lines
}

// onlyTheseLines matches a failed precondition whose message is the lines
// given; a last empty line means nothing may follow the others.
func onlyTheseLines(lines []string) *regexp.Regexp {
	if lines[len(lines)-1] != "" {
		return errorMatching(append([]string{"Resource precondition failed"}, lines...)...)
	}
	return regexp.MustCompile(errorMatching(append([]string{"Resource precondition failed"}, lines[:len(lines)-1]...)...).String() + `\s*$`)
}

// oracleFix is the fix a violation carries: a vulnerability's upgrade
// command, a secret's advice, what to do about a scan; none for the rest.
func oracleFix(t *testing.T, fake *fakesas.Server, v wantViolation) (string, bool) {
	t.Helper()
	switch v.kind {
	case "not_scanned":
		return "Scan the image (sas_image_scan), then gate again.", true
	case "stale_scan":
		return "Scan the image again (sas_image_scan).", true
	case "vulnerability":
		packages, _ := wireObject(t, rowOf(t, fake, v.uuid, v.id)["ExtendContentJson"])["RpmEntityList"].([]any)
		if len(packages) == 0 || packages[0].(map[string]any)["UpdateCmd"] == "" {
			return "", false
		}
		return fmt.Sprint(packages[0].(map[string]any)["UpdateCmd"]), true
	case "sensitive_file":
		for _, s := range fake.SensitiveFileTypes(v.uuid) {
			if s.Key == v.id {
				return s.Advice.En, true
			}
		}
	}
	return "", false
}

// runForEachGateCases is runGateCases for an example that reads data
// sources with for_each: terraform-plugin-testing cannot read back a
// state with for_each instances once the test ends ("for_each is not
// supported"), so a run that passes ends with a step that leaves none.
func runForEachGateCases(t *testing.T, example string, cases []gateCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			steps := []resource.TestStep{{ConfigDirectory: exampleDir(example), ConfigVariables: tc.vars, ExpectError: tc.err, ConfigStateChecks: tc.checks}}
			if tc.err == nil {
				steps = append(steps, resource.TestStep{Config: "terraform {}\n"})
			}
			exampleTest(t, steps...)
		})
	}
}

func TestAccExampleGate(t *testing.T) {
	r := startGateRelease(t)
	clean := []string{"payments-api:1.4.3", "cart-api:2.3.0", "search-api:1.0.0"}
	withSecret := []string{"payments-api:1.4.3", "cart-api:2.3.0", "ledger:1.0.0"}
	vulnerable := []string{"payments-api:1.4.2", "billing:9.0.0", "search-api:1.0.0"}
	unscanned := []string{"checkout-web:2.0.0", "cart-api:2.3.0", "search-api:1.0.0"}
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Truncate(24 * time.Hour)
	ledger := r.image(t, "ledger:1.0.0")
	accepted := []map[string]string{{"kind": "sensitive_file", "id": r.secret.Key, "scope": "ledger", "expires": today, "reason": "SEC-42: test fixture, rotated"}}
	deployed := func(names []string) statecheck.StateCheck {
		var refs []knownvalue.Check
		for _, rec := range r.records(t, names) {
			refs = append(refs, knownvalue.StringExact(reference(rec)))
		}
		return statecheck.ExpectKnownOutputValue("deployed_images", knownvalue.ListExact(refs))
	}
	texts := func(values ...string) knownvalue.Check {
		checks := []knownvalue.Check{}
		for _, v := range values {
			checks = append(checks, knownvalue.StringExact(v))
		}
		return knownvalue.ListExact(checks)
	}
	if lines := r.blockedMessage(t, vulnerable, time.Now()); len(lines) != 12 {
		t.Fatalf("the vulnerable release has %d violations, want more than ten", len(lines)-1)
	}
	runForEachGateCases(t, "gate", []gateCase{
		{
			name: "a clean release deploys",
			vars: r.vars(clean, nil, ""),
			checks: []statecheck.StateCheck{
				deployed(clean),
				statecheck.ExpectKnownOutputValue("accepted_risks", texts()),
				statecheck.ExpectKnownOutputValue("unused_exceptions", texts()),
			},
		},
		{
			name: "a vulnerable image blocks the release, its first ten violations named",
			vars: r.vars(vulnerable, nil, ""),
			err:  onlyTheseLines(r.blockedMessage(t, vulnerable, time.Now())),
		},
		{
			name: "an exception lets its finding through, reported",
			vars: r.vars(withSecret, accepted, ""),
			checks: []statecheck.StateCheck{
				deployed(withSecret),
				statecheck.ExpectKnownOutputValue("accepted_risks", texts(fmt.Sprintf("sensitive_file %s in %s: SEC-42: test fixture, rotated (until %s)",
					r.secret.Key, reference(ledger), today))),
				statecheck.ExpectKnownOutputValue("unused_exceptions", texts()),
			},
		},
		{
			name: "an exception that has expired blocks again",
			vars: r.vars(withSecret, accepted, tomorrow.Format(time.RFC3339)),
			err:  onlyTheseLines(r.blockedMessage(t, withSecret, tomorrow)),
		},
		{
			name: "an image never scanned blocks the release",
			vars: r.vars(unscanned, nil, ""),
			err:  onlyTheseLines(r.blockedMessage(t, unscanned, time.Now())),
		},
		{
			name: "an image Security Center does not know fails the plan",
			vars: r.vars([]string{"payments-api:9.9.9", "cart-api:2.3.0", "search-api:1.0.0"}, nil, ""),
			err:  errorMatching("No Security Center image matches", `repo_name = "payments-api", tag = "9.9.9"`),
		},
	})
}

// TestAccExampleRegistryDocsGate runs the example of the sas_image_gate
// page: the clean payments-api:1.4.3 passes, its exception unused.
func TestAccExampleRegistryDocsGate(t *testing.T) {
	d := startDemo(t)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	clean := d.image(t, "payments-api:1.4.3")
	exampleTest(t, resource.TestStep{
		ConfigDirectory: exampleDir("data-sources/sas_image_gate"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("passed", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("violations", knownvalue.ListExact([]knownvalue.Check{})),
			statecheck.ExpectKnownValue("data.sas_image_gate.release", tfjsonpath.New("images"), knownvalue.ListExact([]knownvalue.Check{
				knownvalue.ObjectPartial(map[string]knownvalue.Check{"uuid": knownvalue.StringExact(fakesas.DemoUUIDPaymentsClean), "image_reference": knownvalue.StringExact(reference(clean))}),
			})),
			statecheck.ExpectKnownValue("data.sas_image_gate.release", tfjsonpath.New("unused_exceptions"), knownvalue.ListExact([]knownvalue.Check{
				knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact("CVE-2023-44487")}),
			})),
		},
	})
}

// TestExampleGateTerraformTest runs `terraform test` on examples/gate:
// the precondition blocks and passes on the gate's verdict with a mocked
// provider, without any API.
func TestExampleGateTerraformTest(t *testing.T) {
	runExampleTerraformTest(t, "gate", "gate.tftest.hcl", "blocking and passing runs")
}
