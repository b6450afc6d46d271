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

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// Every rule of the policy, on one plan real Terraform makes against the
// fake, with each rule's data source at every place a plan can hold it: read
// during plan in the root module, in a child module and in a module inside
// that one (prior_state, at three depths), and read during apply
// (resource_changes) at the same three depths.
//
// To test a new rule, add to policyLookups a lookup that makes it speak and
// the messages it must say. A new data source (sas_image_things, say)
// needs its type in the policy's gated_types, and here one lookup per rule
// over it plus one the policy passes, with expected names and counts
// derived from the fake's data (as urgentFixableNames does for
// vulnerabilities, unprocessedSecretKeys for secrets). Nothing more: the
// fixture writes every lookup at every placement, and each gets its
// subtests.

// policyLookup is one data block of the fixture and what the policy says
// when the plan shows its result. Its copy read during apply has no result
// in the plan: the deferred-read rules speak for it instead.
type policyLookup struct {
	rule       string // the rule it makes speak; names the subtest
	dataSource string // such as "sas_image_instances"
	label      string // name of the data block
	// arguments is the body of the data block. later goes inside one of
	// its strings: "" when read during plan, an empty string known only
	// after apply in the copy read during apply.
	arguments func(later string) string
	// deny and warn are the messages about this data source, each without
	// the "<address>: " every message starts with.
	deny, warn []string
}

// The deferred-read rules' messages start so, after the address.
const (
	deferredReadDenied  = "image risk unknown until apply: the data source is read during apply"
	deferredReadAllowed = "image risk unknown until apply; allowed by allow_deferred_reads"
)

// policyPlacement is where the fixture puts a copy of every lookup.
type policyPlacement struct {
	name     string
	module   string // module address, with a trailing dot; "" for the root
	deferred bool   // read during apply
}

var policyPlacements = []policyPlacement{
	{name: "root module", module: ""},
	{name: "child module", module: "module.child."},
	{name: "nested child module", module: "module.child.module.nested."},
	{name: "deferred read in root module", module: "", deferred: true},
	{name: "deferred read in child module", module: "module.child.", deferred: true},
	{name: "deferred read in nested child module", module: "module.child.module.nested.", deferred: true},
}

func (p policyPlacement) address(l policyLookup) string {
	return p.module + "data." + l.dataSource + "." + p.label(l)
}

func (p policyPlacement) label(l policyLookup) string {
	if p.deferred {
		return l.label + "_deferred"
	}
	return l.label
}

// policyLookups are the fixture's lookups, one or more for each rule.
func policyLookups(t *testing.T, d demo) []policyLookup {
	risky := d.onlyImage(t, "payments-api:1.4.2", "risky and scanned", func(img fakesas.Image) bool {
		return img["RiskStatus"] == "YES" && fakeImageScanned(img)
	})
	unscanned := d.onlyImage(t, "checkout-web:2.0.0", "never scanned and not flagged risky", func(img fakesas.Image) bool {
		return img["RiskStatus"] != "YES" && !fakeImageScanned(img)
	})
	clean := d.onlyImage(t, "payments-api:1.4.3", "scanned, not risky, without urgent fixable vulnerabilities", func(img fakesas.Image) bool {
		return img["RiskStatus"] == "NO" && fakeImageScanned(img) && len(urgentFixableNames(d.fake, img)) == 0
	})
	missing := "payments-api:0.0.0-missing"
	if _, ok := d.images[missing]; ok {
		t.Fatalf("the fake has an image %s; the lookup that matches nothing needs a name it lacks", missing)
	}
	urgent := urgentFixableNames(d.fake, risky)
	if len(urgent) == 0 || len(urgent) > 5 {
		t.Fatalf("%s has %d urgent fixable vulnerabilities; the policy names all of them only for 1 to 5", imageName(risky), len(urgent))
	}
	// The secrets and malware rules, and the gate over both, speak of the
	// risky image and let the clean one through.
	secrets := unprocessedSecretKeys(d.fake, risky, "high", "medium")
	var malware []string
	for _, f := range openMalware(d.fake, risky, "serious", "suspicious") {
		malware = append(malware, fmt.Sprintf("%s (%s)", f.FilePath, f.Sample.Name.En))
	}
	slices.Sort(malware)
	var violations []string
	for _, key := range unprocessedSecretKeys(d.fake, risky, "high", "medium", "low") {
		violations = append(violations, "sensitive_file "+d.pinnedImage(t, imageName(risky))+" "+key)
	}
	for _, f := range openMalware(d.fake, risky, "serious", "suspicious", "remind") {
		violations = append(violations, "malicious_file "+d.pinnedImage(t, imageName(risky))+" "+f.Sample.MD5)
	}
	slices.Sort(violations)
	if len(secrets) == 0 || len(malware) == 0 || len(violations) > 5 {
		t.Fatalf("%s has %d open secrets, %d open malicious files and %d gate violations; the rules need some, and name all only up to 5",
			imageName(risky), len(secrets), len(malware), len(violations))
	}
	if len(unprocessedSecretKeys(d.fake, clean, "high", "medium", "low"))+len(openMalware(d.fake, clean, "serious", "suspicious", "remind")) > 0 {
		t.Fatalf("%s has open secrets or malware; the gate's passing lookup needs an image without", imageName(clean))
	}
	// The passing lookups of the secrets and malware rules look at images
	// with severe findings that are all dealt with (a handled malicious
	// file; the risky image has a whitelisted one).
	severeSecret := func(ty fakesas.SensitiveFileType) bool { return ty.Level == "high" || ty.Level == "medium" }
	handledSecrets := d.addRelease(t, "1.7.0", func(img fakesas.Image) bool {
		types := fakesas.ImageSensitiveFiles(img)
		return slices.ContainsFunc(types, severeSecret) && len(unprocessedOf(types, severeSecret)) == 0 && len(unprocessedOf(types, nil)) > 0
	})
	dealtWithMalware := d.addRelease(t, "1.7.1", func(img fakesas.Image) bool {
		files := fakesas.ImageMaliciousFiles(img)
		return slices.ContainsFunc(files, func(f fakesas.MaliciousFile) bool {
			return f.Sample.Level != "remind" && f.Status == fakesas.MaliciousStatusHandled
		}) &&
			!slices.ContainsFunc(files, func(f fakesas.MaliciousFile) bool {
				return f.Sample.Level != "remind" && f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted
			})
	})

	return []policyLookup{
		{
			rule: "risky image", dataSource: "sas_image_instances", label: "risky",
			arguments: func(later string) string { return byRepoAndTag(risky, later) },
			deny:      []string{"1 risky image(s) (risk_status YES): " + imageName(risky)},
		},
		{
			rule: "never scanned image", dataSource: "sas_image_instances", label: "unscanned",
			arguments: func(later string) string { return byRepoAndTag(unscanned, later) },
			deny:      []string{"1 image(s) never successfully scanned, so their risk is unknown: " + imageName(unscanned)},
		},
		{
			rule: "lookup matching no image", dataSource: "sas_image_instances", label: "missing",
			arguments: func(later string) string {
				repo, tag, _ := strings.Cut(missing, ":")
				return byRepoAndTag(fakesas.Image{"RepoName": repo, "Tag": tag}, later)
			},
			warn: []string{"matched no image, so there was nothing to check."},
		},
		{
			rule: "clean image", dataSource: "sas_image_instances", label: "clean",
			arguments: func(later string) string { return byRepoAndTag(clean, later) },
		},
		{
			rule: "urgent fixable vulnerabilities", dataSource: "sas_image_vulnerabilities", label: "urgent",
			arguments: func(later string) string { return liveVulnerabilitiesOf(risky, later) },
			deny:      []string{fmt.Sprintf("%d urgent (asap) vulnerabilities have a fix: %s", len(urgent), strings.Join(urgent, ", "))},
		},
		{
			rule: "no urgent fixable vulnerability", dataSource: "sas_image_vulnerabilities", label: "fixed",
			arguments: func(later string) string { return liveVulnerabilitiesOf(clean, later) },
		},
		{
			rule: "unprocessed high or medium secrets", dataSource: "sas_image_sensitive_files", label: "secrets",
			arguments: func(later string) string { return fmt.Sprintf(`image_uuid = "%v%s"`, risky["Uuid"], later) },
			deny:      []string{fmt.Sprintf("%d unprocessed high or medium secret type(s) baked into the image: %s", len(secrets), strings.Join(secrets, ", "))},
		},
		{
			rule: "handled high or medium secrets", dataSource: "sas_image_sensitive_files", label: "handled_secrets",
			arguments: func(later string) string { return fmt.Sprintf(`image_uuid = "%v%s"`, handledSecrets["Uuid"], later) },
		},
		{
			rule: "serious or suspicious malicious files", dataSource: "sas_image_malicious_files", label: "malware",
			arguments: func(later string) string { return maliciousFilesOf(risky, later) },
			deny:      []string{fmt.Sprintf("%d serious or suspicious malicious file(s): %s", len(malware), strings.Join(malware, ", "))},
		},
		{
			rule: "handled or whitelisted serious or suspicious malicious files", dataSource: "sas_image_malicious_files", label: "dealt_with_malware",
			arguments: func(later string) string { return maliciousFilesOf(dealtWithMalware, later) },
		},
		{
			rule: "release gate violations", dataSource: "sas_image_gate", label: "gate",
			arguments: func(later string) string { return secretsAndMalwareGate(risky, later) },
			deny:      []string{fmt.Sprintf("the release gate did not pass, %d violation(s): %s", len(violations), strings.Join(violations, ", "))},
		},
		{
			rule: "release gate passed", dataSource: "sas_image_gate", label: "gate_passed",
			arguments: func(later string) string { return secretsAndMalwareGate(clean, later) },
		},
	}
}

func maliciousFilesOf(img fakesas.Image, later string) string {
	return fmt.Sprintf(`digest     = "%v"
  image_uuid = "%v%s"`, img["Digest"], img["Uuid"], later)
}

func secretsAndMalwareGate(img fakesas.Image, later string) string {
	return fmt.Sprintf(`image_uuids     = ["%v%s"]
  sensitive_files = {}
  malicious_files = {}`, img["Uuid"], later)
}

// unprocessedSecretKeys are the sorted keys of an image's unhandled secret
// types of the levels given.
func unprocessedSecretKeys(fake *fakesas.Server, img fakesas.Image, levels ...string) []string {
	var keys []string
	for _, ty := range fake.SensitiveFileTypes(fmt.Sprint(img["Uuid"])) {
		if ty.Status == fakesas.SensitiveStatusUnhandled && slices.Contains(levels, ty.Level) {
			keys = append(keys, ty.Key)
		}
	}
	slices.Sort(keys)
	return keys
}

// unprocessedOf are the unhandled types that keep holds for (nil: all).
func unprocessedOf(types []fakesas.SensitiveFileType, keep func(fakesas.SensitiveFileType) bool) []fakesas.SensitiveFileType {
	var out []fakesas.SensitiveFileType
	for _, ty := range types {
		if ty.Status == fakesas.SensitiveStatusUnhandled && (keep == nil || keep(ty)) {
			out = append(out, ty)
		}
	}
	return out
}

// addRelease adds payments-api:tag to the demo: a scanned image, of the
// first digest (derived from the tag) for which want holds.
func (d demo) addRelease(t *testing.T, tag string, want func(fakesas.Image) bool) fakesas.Image {
	t.Helper()
	for k := range 5000 {
		image := exampleRelease(fmt.Sprintf("u-release-%s-%d", tag, k), "payments-api", tag)
		image["Digest"] = sha256Hex(fmt.Sprintf("%s:%d", tag, k))
		if want(image) {
			d.fake.SetImages(append(d.fake.Images(), image))
			d.images[imageName(image)] = image
			return image
		}
	}
	t.Fatalf("no digest gives payments-api:%s the findings wanted", tag)
	return nil
}

// openMalware are an image's malicious files of the levels given that are
// neither handled nor whitelisted.
func openMalware(fake *fakesas.Server, img fakesas.Image, levels ...string) []fakesas.MaliciousFile {
	var out []fakesas.MaliciousFile
	for _, f := range fake.MaliciousFiles(fmt.Sprint(img["Uuid"])) {
		if slices.Contains(levels, f.Sample.Level) && f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted {
			out = append(out, f)
		}
	}
	return out
}

func byRepoAndTag(img fakesas.Image, later string) string {
	return fmt.Sprintf(`criteria = [{ name = "repoName", value = "%v" }, { name = "tag", value = "%v%s" }]`, img["RepoName"], img["Tag"], later)
}

func liveVulnerabilitiesOf(img fakesas.Image, later string) string {
	return fmt.Sprintf(`image_uuids = ["%v%s"]
  statuses    = ["unfixed", "fixing"]`, img["Uuid"], later)
}

// onlyImage is the demo image "repository:tag", checked to be the only
// image of that name (the lookups search every namespace) and to be what
// the lookup that uses it needs.
func (d demo) onlyImage(t *testing.T, name, what string, fits func(fakesas.Image) bool) fakesas.Image {
	t.Helper()
	img := d.image(t, name)
	same := 0
	for _, other := range d.fake.Images() {
		if imageName(other) == name {
			same++
		}
	}
	if same != 1 || !fits(img) {
		t.Fatalf("the fake's %s (%d of that name) is not the only one, or not %s", name, same, what)
	}
	return img
}

func fakeImageScanned(img fakesas.Image) bool {
	ms, _ := img["LastScanTime"].(int64)
	return img["ScaStatus"] == "SUCCESS" && ms > 0
}

// urgentFixableNames are the sorted names of an image's live rows that are
// urgent (asap) and have a fix.
func urgentFixableNames(fake *fakesas.Server, img fakesas.Image) []string {
	var names []string
	for _, r := range liveRows(fake, img) {
		if r["Necessity"] == "asap" && r["CanFix"] == "yes" {
			names = append(names, fmt.Sprint(r["Name"]))
		}
	}
	slices.Sort(names)
	return names
}

// writePolicyFixture writes a root module calling module "child", which
// calls module "nested", each holding every lookup twice: read during plan,
// and read during apply. It returns the root module's directory.
func writePolicyFixture(t *testing.T, lookups []policyLookup) string {
	t.Helper()
	dir := t.TempDir()
	// terraform-plugin-testing copies the root module's files, not its
	// directories: the module sources are absolute paths.
	modules := []struct{ dir, calls string }{
		{filepath.Join(dir, "nested"), ""},
		{filepath.Join(dir, "child"), "nested"},
		{filepath.Join(dir, "root"), "child"},
	}
	for _, m := range modules {
		hcl := fixtureModule(lookups)
		if m.calls != "" {
			hcl += fmt.Sprintf("\nmodule %q {\n  source = %q\n}\n", m.calls, filepath.Join(dir, m.calls))
		}
		if err := os.Mkdir(m.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(m.dir, "main.tf"), []byte(hcl), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "root")
}

// fixtureModule is one module of the fixture: every lookup, read during
// plan, and again read during apply.
func fixtureModule(lookups []policyLookup) string {
	var b strings.Builder
	// terraform_data's id is unknown until apply, under Terraform and
	// OpenTofu alike.
	b.WriteString(policyConfig(`
resource "terraform_data" "build" {}

locals {
  known_after_apply = substr(terraform_data.build.id, 0, 0)
}
`))
	for _, l := range lookups {
		for _, p := range []policyPlacement{{}, {deferred: true}} {
			later := ""
			if p.deferred {
				later = "${local.known_after_apply}"
			}
			fmt.Fprintf(&b, "\ndata %q %q {\n  %s\n}\n", l.dataSource, p.label(l), l.arguments(later))
		}
	}
	return b.String()
}

// capturePlan keeps the plan, as `terraform show -json` writes it.
type capturePlan struct{ json *[]byte }

func (c capturePlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	*c.json, resp.Error = json.Marshal(req.Plan)
}

func TestAccPolicyRules(t *testing.T) {
	d := startDemo(t)
	lookups := policyLookups(t, d)

	// Planned, never applied: terraform-plugin-testing cannot read a state
	// holding a module. The plan creates terraform_data, so it is not empty.
	var plan []byte
	exampleTest(t, resource.TestStep{
		ConfigDirectory:    config.StaticDirectory(writePolicyFixture(t, lookups)),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{capturePlan{&plan}}},
	})

	documents := []struct {
		name string
		data map[string]any
		// the messages about a data source read during apply
		deferredDeny, deferredWarn []string
	}{
		{name: "deferred reads denied", deferredDeny: []string{deferredReadDenied}},
		{name: "deferred reads allowed", data: allowDeferred, deferredWarn: []string{deferredReadAllowed}},
	}
	for _, doc := range documents {
		t.Run(doc.name, func(t *testing.T) {
			got, err := evaluatePolicy(t.Context(), plan, doc.data)
			if err != nil {
				t.Fatalf("evaluating the policy: %v", err)
			}
			var addresses []string
			for _, l := range lookups {
				for _, p := range policyPlacements {
					address := p.address(l)
					addresses = append(addresses, address)
					deny, warn := l.deny, l.warn
					if p.deferred {
						deny, warn = doc.deferredDeny, doc.deferredWarn
					}
					t.Run(l.rule+"/"+p.name, func(t *testing.T) {
						if err := matchMessages("deny", messagesAbout(address, got.deny), prefixed(address, deny)); err != nil {
							t.Error(err)
						}
						if err := matchMessages("warn", messagesAbout(address, got.warn), prefixed(address, warn)); err != nil {
							t.Error(err)
						}
					})
				}
			}
			t.Run("no message about anything else", func(t *testing.T) {
				for _, m := range slices.Concat(got.deny, got.warn) {
					if !slices.ContainsFunc(addresses, func(a string) bool { return strings.HasPrefix(m, a+": ") }) {
						t.Errorf("message about no lookup of the fixture: %q", m)
					}
				}
			})
		})
	}
}

// messagesAbout are the messages that start with the address.
func messagesAbout(address string, messages []string) []string {
	var out []string
	for _, m := range messages {
		if strings.HasPrefix(m, address+": ") {
			out = append(out, m)
		}
	}
	return out
}

func prefixed(address string, texts []string) []string {
	out := make([]string, len(texts))
	for k, text := range texts {
		out[k] = address + ": " + text
	}
	return out
}
