package provider

import (
	"fmt"
	"net/url"
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
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The secrets and malware gates and the registry examples of their data
// sources, run with real Terraform against the fake; expected messages are
// derived from the fake's secrets and malicious files.

// startSecretsDemo is startDemo with more images, and secret types given
// to some of them by digest.
func startSecretsDemo(t *testing.T, extra []fakesas.Image, secrets map[string][]fakesas.SensitiveFileSpec) demo {
	t.Helper()
	images := append(fakesas.DemoImages(time.Now()), extra...)
	d := demo{fake: startFake(t, fakesas.Options{Images: images, SensitiveFiles: secrets}), images: map[string]fakesas.Image{}}
	for _, img := range images {
		d.images[imageName(img)] = img
	}
	providerFromEnv(t, d.fake)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "terraform-sas")
	return d
}

// exampleRelease is a scanned image of the demo's namespace and registry,
// its digest derived from its name.
func exampleRelease(uuid, repo, tag string) fakesas.Image {
	return img(uuid, repo, tag, fakesas.Image{"Digest": sha256Hex(repo + ":" + tag), "InstanceId": "cri-demo7h2k9x4m1q8w",
		"Endpoints": `["registry.cn-hangzhou.aliyuncs.com/prod/` + repo + ":" + tag + `"]`})
}

// runExample runs an example once with real Terraform and returns the
// error it stopped with, "" when it passed (and the checks held).
func runExample(t *testing.T, example string, vars config.Variables, checks ...statecheck.StateCheck) string {
	t.Helper()
	var failure string
	resource.Test(t, resource.TestCase{
		ErrorCheck: func(err error) error {
			if err != nil {
				failure = err.Error()
			}
			return nil
		},
		Steps: []resource.TestStep{{
			ConfigDirectory:          exampleDir(example),
			ConfigVariables:          vars,
			ConfigStateChecks:        checks,
			ProtoV6ProviderFactories: testProviderFactories,
		}},
	})
	return failure
}

// exampleCase is one run of a gate: it passes with the checks, or stops
// with an error matching err and holding none of absent.
type exampleCase struct {
	name   string
	image  string
	err    *regexp.Regexp
	absent []string
	checks []statecheck.StateCheck
}

// runExampleCases runs each case and fails when a passing case stopped,
// a blocking one passed or stopped otherwise, or any error holds one of
// never.
func runExampleCases(t *testing.T, example string, never []string, cases []exampleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			failure := runExample(t, example, release(tc.image), tc.checks...)
			switch {
			case tc.err == nil && failure != "":
				t.Fatalf("the gate stopped %s: %s", tc.image, failure)
			case tc.err != nil && !tc.err.MatchString(failure):
				t.Fatalf("the gate stopped %s with %q, want %s", tc.image, failure, tc.err)
			}
			requireNoExcerpt(t, "the error", failure, never)
			for _, a := range tc.absent {
				if strings.Contains(failure, a) {
					t.Errorf("the error names %q", a)
				}
			}
		})
	}
}

// blockingSecrets is how the gate-secrets example names an image's
// blocking secrets: each unhandled high or medium type with its files.
func blockingSecrets(fake *fakesas.Server, uuid string) []string {
	var out []string
	for _, ty := range fake.SensitiveFileTypes(uuid) {
		if ty.Status != fakesas.SensitiveStatusUnhandled || (ty.Level != "high" && ty.Level != "medium") {
			continue
		}
		var paths []string
		for _, f := range ty.Files {
			paths = append(paths, f.FilePath)
		}
		out = append(out, fmt.Sprintf("%s (%s) in %s", ty.Key, ty.Level, strings.Join(paths, ", ")))
	}
	return out
}

func TestAccExampleGateSecrets(t *testing.T) {
	handledHigh := exampleRelease("u-secrets-handled", "payments-api", "1.5.0")
	mediumOnly := exampleRelease("u-secrets-medium", "payments-api", "1.5.1")
	d := startSecretsDemo(t, []fakesas.Image{handledHigh, mediumOnly}, map[string][]fakesas.SensitiveFileSpec{
		fmt.Sprint(handledHigh["Digest"]): {{Key: "rsa_private_key", Files: 2, Handled: true}, {Key: "netrc_cfg", Files: 1}},
		fmt.Sprint(mediumOnly["Digest"]):  {{Key: fakesas.SensitiveKeySSHPrivateKey, Files: 3}, {Key: "rsa_private_key", Files: 1, Handled: true}},
	})
	var excerpts []string
	for _, image := range d.fake.Images() {
		excerpts = append(excerpts, excerptsOf(d.fake.SensitiveFileTypes(fmt.Sprint(image["Uuid"])))...)
	}
	blocked := blockingSecrets(d.fake, fakesas.DemoUUIDPaymentsVulnerable)
	if len(blocked) < 2 || len(excerpts) == 0 {
		t.Fatalf("payments-api:1.4.2 has %d blocking secret types and the dataset %d excerpts: the gate has too little to show", len(blocked), len(excerpts))
	}
	passes := func(name string) []statecheck.StateCheck {
		return []statecheck.StateCheck{expectOutput("deployed_image", d.pinnedImage(t, name))}
	}
	runExampleCases(t, "gate-secrets", excerpts, []exampleCase{
		{name: "a release without secrets passes (its low, handled one is not looked at)", image: "payments-api:1.4.3", checks: passes("payments-api:1.4.3")},
		{name: "handled high and unhandled low secrets pass", image: "payments-api:1.5.0", checks: passes("payments-api:1.5.0")},
		{name: "unprocessed high and medium secrets block, named with their files", image: "payments-api:1.4.2",
			err: errorMatching("Resource precondition failed",
				"Not deploying payments-api:1.4.2: secrets are baked into the image. Remove them from the image, rotate them, and rebuild: "+
					strings.Join(blocked, "; ")+".")},
		{name: "an unprocessed medium secret blocks", image: "payments-api:1.5.1",
			err: errorMatching("Not deploying payments-api:1.5.1: secrets are baked into the image.", strings.Join(blockingSecrets(d.fake, "u-secrets-medium"), "; ")+".")},
		{name: "an image never scanned blocks", image: "checkout-web:2.0.0",
			err: errorMatching("Resource precondition failed", "Not deploying checkout-web:2.0.0: Security Center has not scanned it, so whether it holds secrets is unknown.")},
	})
}

// blockingMalware is how the gate-malware example names an image's
// blocking files: serious or suspicious, neither handled nor whitelisted.
func blockingMalware(fake *fakesas.Server, uuid string) []string {
	var out []string
	for _, f := range fake.MaliciousFiles(uuid) {
		if (f.Sample.Level == "serious" || f.Sample.Level == "suspicious") &&
			f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted {
			out = append(out, fmt.Sprintf("%s (%s, %s, %s)", f.FilePath, f.Sample.Name.En, f.Sample.Level, wantMaliciousStatus[f.Status]))
		}
	}
	return out
}

// malwareRelease finds a release of payments-api, by its digest, whose
// malicious files satisfy want.
func malwareRelease(t *testing.T, uuid, tag string, want func([]fakesas.MaliciousFile) bool) fakesas.Image {
	t.Helper()
	for k := range 5000 {
		image := exampleRelease(uuid, "payments-api", tag)
		image["Digest"] = sha256Hex(fmt.Sprintf("%s:%d", tag, k))
		if files := fakesas.ImageMaliciousFiles(image); len(files) > 0 && want(files) {
			return image
		}
	}
	t.Fatalf("no digest gives payments-api:%s the malicious files wanted", tag)
	return nil
}

func TestAccExampleGateMalware(t *testing.T) {
	severe := func(f fakesas.MaliciousFile) bool {
		return f.Sample.Level == "serious" || f.Sample.Level == "suspicious"
	}
	// Serious or suspicious files all handled or whitelisted, with a remind one unhandled.
	dealtWith := malwareRelease(t, "u-malware-dealt", "1.6.0", func(files []fakesas.MaliciousFile) bool {
		n := 0
		for _, f := range files {
			if severe(f) && f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted {
				return false
			}
			if severe(f) {
				n++
			}
		}
		return n > 0
	})
	// A serious or suspicious file still being verified, and nothing else open.
	verifying := malwareRelease(t, "u-malware-verifying", "1.6.1", func(files []fakesas.MaliciousFile) bool {
		return slices.ContainsFunc(files, func(f fakesas.MaliciousFile) bool { return severe(f) && f.Status == fakesas.MaliciousStatusVerifying }) &&
			!slices.ContainsFunc(files, func(f fakesas.MaliciousFile) bool { return f.Status == fakesas.MaliciousStatusUnhandled })
	})
	d := startSecretsDemo(t, []fakesas.Image{dealtWith, verifying}, nil)
	blocked := blockingMalware(d.fake, fakesas.DemoUUIDPaymentsVulnerable)
	if len(blocked) != 1 || len(d.fake.MaliciousFiles(fakesas.DemoUUIDPaymentsVulnerable)) < 2 {
		t.Fatalf("payments-api:1.4.2 blocks on %q; want one open file besides a whitelisted one", blocked)
	}
	var links []string
	for _, image := range d.fake.Images() {
		for _, f := range d.fake.MaliciousFiles(fmt.Sprint(image["Uuid"])) {
			links = append(links, f.DownloadURL)
		}
	}
	passes := func(name string) []statecheck.StateCheck {
		return []statecheck.StateCheck{expectOutput("deployed_image", d.pinnedImage(t, name)), stateLacks(links...)}
	}
	runExampleCases(t, "gate-malware", links, []exampleCase{
		{name: "a release without malware passes", image: "payments-api:1.4.3", checks: passes("payments-api:1.4.3")},
		{name: "handled and whitelisted files pass", image: "payments-api:1.6.0", checks: passes("payments-api:1.6.0")},
		{name: "an unhandled serious file blocks, named by path and malware; the whitelisted one is not named", image: "payments-api:1.4.2",
			err:    errorMatching("Resource precondition failed", "Not deploying payments-api:1.4.2: malicious files in the image: "+strings.Join(blocked, "; ")+"."),
			absent: []string{fakesas.DemoWebshellPath}},
		{name: "a file still being verified blocks", image: "payments-api:1.6.1",
			err: errorMatching("Not deploying payments-api:1.6.1: malicious files in the image: " + strings.Join(blockingMalware(d.fake, "u-malware-verifying"), "; ") + ".")},
		{name: "an image never scanned blocks", image: "checkout-web:2.0.0",
			err: errorMatching("Resource precondition failed", "Not deploying checkout-web:2.0.0: Security Center has not scanned it, so whether it holds malware is unknown.")},
	})
}

// The registry examples of the two data sources, on the demo's vulnerable
// release; as usual on those pages they have no required_providers block.
func TestAccExampleRegistryDocsSecretsAndMalware(t *testing.T) {
	d := startDemo(t)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	uuid := fakesas.DemoUUIDPaymentsVulnerable
	var unprocessed, paths []knownvalue.Check
	for _, ty := range d.fake.SensitiveFileTypes(uuid) {
		if ty.Status == fakesas.SensitiveStatusUnhandled && (ty.Level == "high" || ty.Level == "medium") {
			unprocessed = append(unprocessed, knownvalue.StringExact(ty.Key))
		}
		for _, f := range ty.Files {
			paths = append(paths, knownvalue.StringExact(ty.Key+": "+f.FilePath))
		}
	}
	var open []knownvalue.Check
	for _, f := range d.fake.MaliciousFiles(uuid) {
		if (f.Sample.Level == "serious" || f.Sample.Level == "suspicious") && f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted {
			open = append(open, knownvalue.StringExact(fmt.Sprintf("%s (%s)", f.FilePath, f.Sample.Name.En)))
		}
	}
	if len(unprocessed) == 0 || len(open) == 0 {
		t.Fatal("payments-api:1.4.2 has no open secret or malware: the examples would show nothing")
	}
	rows := malwareRows(d.fake, []fakesas.Image{d.image(t, "payments-api:1.4.2")}, func(fakesas.MaliciousFile) bool { return true })
	cases := []struct {
		example string
		checks  []statecheck.StateCheck
	}{
		{"data-sources/sas_image_sensitive_files", []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("scanned", knownvalue.Bool(true)),
			statecheck.ExpectKnownOutputValue("unprocessed_secret_types", knownvalue.ListExact(unprocessed)),
			statecheck.ExpectKnownOutputValue("secret_file_paths", knownvalue.ListExact(paths)),
			statecheck.ExpectKnownValue("data.sas_image_sensitive_files.release", tfjsonpath.New("sensitive_files").AtSliceIndex(0).AtMapKey("files"), knownvalue.Null()),
		}},
		{"data-sources/sas_image_malicious_files", []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("open_malware", knownvalue.ListExact(open)),
			statecheck.ExpectKnownOutputValue("summary", expectMaliciousSummary(rows)),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.example, func(t *testing.T) {
			if failure := runExample(t, tc.example, nil, tc.checks...); failure != "" {
				t.Fatalf("the example failed: %s", failure)
			}
		})
	}
}

// The registry examples where the service leaves out a file's status and a
// secret type's unprocessed count (the data sources make them null): they
// still run, and count what they cannot tell handled as open.
func TestAccExampleRegistryDocsSecretsAndMalware_withoutStatusOrCount(t *testing.T) {
	d := startDemo(t)
	endpoint, setRewrite := startRewritingProxy(t, d.fake)
	t.Setenv("ALIBABA_CLOUD_ENDPOINT_SAS", endpoint)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "")
	status, unprocessed := regexp.MustCompile(`,"Status":"?\d+"?`), regexp.MustCompile(`,"UnprocessedNum":"?\d+"?`)
	setRewrite(func(action string, _ url.Values, code int, body []byte) (int, []byte) {
		switch action {
		case sasapi.ActionDescribeAffectedMaliciousFileImages:
			body = status.ReplaceAll(body, nil)
		case sasapi.ActionDescribeImageSensitiveFileList:
			body = unprocessed.ReplaceAll(body, nil)
		}
		return code, body
	})
	uuid := fakesas.DemoUUIDPaymentsVulnerable
	var unhandled, open []knownvalue.Check
	for _, ty := range d.fake.SensitiveFileTypes(uuid) {
		if ty.Status == fakesas.SensitiveStatusUnhandled && (ty.Level == "high" || ty.Level == "medium") {
			unhandled = append(unhandled, knownvalue.StringExact(ty.Key))
		}
	}
	for _, f := range d.fake.MaliciousFiles(uuid) {
		if f.Sample.Level == "serious" || f.Sample.Level == "suspicious" {
			open = append(open, knownvalue.StringExact(fmt.Sprintf("%s (%s)", f.FilePath, f.Sample.Name.En)))
		}
	}
	for example, check := range map[string]statecheck.StateCheck{
		"data-sources/sas_image_sensitive_files": statecheck.ExpectKnownOutputValue("unprocessed_secret_types", knownvalue.ListExact(unhandled)),
		"data-sources/sas_image_malicious_files": statecheck.ExpectKnownOutputValue("open_malware", knownvalue.ListExact(open)),
	} {
		t.Run(example, func(t *testing.T) {
			if failure := runExample(t, example, nil, check); failure != "" {
				t.Fatalf("the example failed: %s", failure)
			}
		})
	}
}
