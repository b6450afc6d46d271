package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

const oneAddr = "data.sas_image_instance.test"

// sha256Hex is a stable 64-hex value derived from s, for digests and ids.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// lookupImage is a scanned, clean image with a digest, image id, registry
// and endpoint all derived from its uuid, namespace, repository and tag.
func lookupImage(uuid, namespace, repo, tag string, fields ...fakesas.Image) fakesas.Image {
	base := fakesas.Image{
		"Digest": sha256Hex("digest " + uuid), "ImageId": sha256Hex("id " + uuid), "RepoNamespace": namespace,
		"InstanceId": "cri-" + namespace, "RegistryType": "acr", "RegionId": "cn-hangzhou",
		"ImageCreate": "1760000000000", "ImageUpdate": "1760000000000",
		"Endpoints": fmt.Sprintf(`["registry.cn-hangzhou.aliyuncs.com/%s/%s:%s"]`, namespace, repo, tag),
	}
	return img(uuid, repo, tag, append([]fakesas.Image{base}, fields...)...)
}

func field(i fakesas.Image, name string) string { return fmt.Sprint(i[name]) }

// expectOne checks a top-level attribute of the singular data source.
func expectOne(name string, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(oneAddr, tfjsonpath.New(name), value)
}

// expectImage checks that the lookup found image.
func expectImage(addr string, image fakesas.Image) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for attr, wire := range map[string]string{"id": "Uuid", "uuid": "Uuid", "digest": "Digest", "image_id": "ImageId",
		"repo_name": "RepoName", "tag": "Tag", "repo_namespace": "RepoNamespace", "instance_id": "InstanceId"} {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), knownvalue.StringExact(field(image, wire))))
	}
	return checks
}

// sentCriteria decodes the Criteria parameter of every DescribeImageInstances
// request, failing unless each asked for page 1 of 100.
func sentCriteria(t *testing.T, fake *fakesas.Server) [][][2]string {
	t.Helper()
	var out [][][2]string
	for _, r := range fake.Requests() {
		if r.Action != "DescribeImageInstances" {
			continue
		}
		if r.Query.Get("CurrentPage") != "1" || r.Query.Get("PageSize") != "100" {
			t.Errorf("request for page %q of size %q, want page 1 of 100", r.Query.Get("CurrentPage"), r.Query.Get("PageSize"))
		}
		var wire []struct{ Name, Value, LogicalExp string }
		if err := json.Unmarshal([]byte(r.Query.Get("Criteria")), &wire); err != nil {
			t.Fatalf("Criteria %q: %v", r.Query.Get("Criteria"), err)
		}
		var criteria [][2]string
		for _, c := range wire {
			criteria = append(criteria, [2]string{c.Name, c.Value})
		}
		out = append(out, criteria)
	}
	return out
}

func TestAccImageInstance_eachSelectorSendsItsCriteriaAndFindsTheImage(t *testing.T) {
	images := []fakesas.Image{
		lookupImage("u-142", "prod", "payments-api", "1.4.2"),
		lookupImage("u-143", "prod", "payments-api", "1.4.3"),
		lookupImage("u-143-stg", "staging", "payments-api", "1.4.3", fakesas.Image{"RegistryType": "harbor", "RegionId": "cn-shanghai"}),
	}
	clean, staging := images[1], images[2]
	cases := []struct {
		name     string
		args     string
		want     fakesas.Image
		criteria [][2]string
	}{
		{"bare digest", "digest = " + hcl(field(clean, "Digest")), clean,
			[][2]string{{"digest", field(clean, "Digest")}}},
		{"sha256: prefixed digest is sent bare", "digest = " + hcl("sha256:"+field(clean, "Digest")), clean,
			[][2]string{{"digest", field(clean, "Digest")}}},
		{"digest in capitals is sent bare and in lower case", "digest = " + hcl("SHA256:"+strings.ToUpper(field(clean, "Digest"))), clean,
			[][2]string{{"digest", field(clean, "Digest")}}},
		{"image id", "image_id = " + hcl(field(clean, "ImageId")), clean,
			[][2]string{{"ImageId", field(clean, "ImageId")}}},
		{"sha256: prefixed image id is sent bare", "image_id = " + hcl("sha256:"+field(clean, "ImageId")), clean,
			[][2]string{{"ImageId", field(clean, "ImageId")}}},
		{"repository and tag, narrowed by namespace", `repo_name = "payments-api"` + "\n" + `tag = "1.4.3"` + "\n" + `repo_namespace = "staging"`, staging,
			[][2]string{{"repoName", "payments-api"}, {"tag", "1.4.3"}, {"repoNamespace", "staging"}}},
		{"every narrowing argument", `repo_name = "payments-api"` + "\ntag = \"1.4.3\"\n" + `repo_namespace = "staging"` + "\n" +
			`instance_id = ` + hcl(field(staging, "InstanceId")) + "\n" + `region_id = "cn-shanghai"` + "\n" + `registry_type = "harbor"`, staging,
			[][2]string{{"repoName", "payments-api"}, {"tag", "1.4.3"}, {"repoNamespace", "staging"},
				{"instanceId", field(staging, "InstanceId")}, {"regionId", "cn-shanghai"}, {"registryType", "harbor"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: images})
			accTest(t, resource.TestStep{
				Config:            providerConfig(fake) + "data \"sas_image_instance\" \"test\" {\n" + tc.args + "\n}",
				ConfigStateChecks: expectImage(oneAddr, tc.want),
			})
			requireCallsPerRead(t, fake, 1)
			for _, sent := range sentCriteria(t, fake) {
				if !slices.Equal(sent, tc.criteria) {
					t.Fatalf("sent criteria %q, want %q", sent, tc.criteria)
				}
			}
		})
	}
}

// The singular lookup has the same attributes, from the same mapping, as an
// element of sas_image_instances.images.
func TestAccImageInstance_everyImageAttributeEqualsThePluralOne(t *testing.T) {
	full := fakesas.FullImage()
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{lookupImage("u-other", "prod", "other", "1"), full}})
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(dsAddr, tfjsonpath.New("images"), knownvalue.ListSizeExact(1)),
		expectOne("id", knownvalue.StringExact(field(full, "Uuid"))),
		// The first endpoint's host, the namespace and the repository.
		expectOne("image_reference", knownvalue.StringExact(fmt.Sprintf("%s/%s/%s@sha256:%s",
			strings.SplitN(strings.Trim(field(full, "Endpoints"), `["]`), "/", 2)[0], field(full, "RepoNamespace"), field(full, "RepoName"), field(full, "Digest")))),
		// PRE_ANALYZER_SUCCESS is a partial scan.
		expectOne("scanned", knownvalue.Bool(false)),
		expectOne("risky", knownvalue.Null()),
	}
	for name := range imageSchemaAttributes() {
		checks = append(checks, statecheck.CompareValuePairs(oneAddr, tfjsonpath.New(name), dsAddr, imageAttr(0, name), compare.ValuesSame()))
	}
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
data "sas_image_instance" "test" {
  digest = ` + hcl(field(full, "Digest")) + `
}
data "sas_image_instances" "test" {
  criteria = [{ name = "digest", value = ` + hcl(field(full, "Digest")) + ` }]
}`,
		ConfigStateChecks: checks,
	})
}

func TestAccImageInstance_scannedAndRisky(t *testing.T) {
	never := fakesas.Image{"ScaStatus": "INIT", "LastScanTime": int64(0), "ScaProgress": 0}
	cases := []struct {
		name    string
		image   fakesas.Image
		scanned bool
		risky   knownvalue.Check
	}{
		{"scanned with risk", lookupImage("u-risky", "prod", "risky", "1", fakesas.Image{"VulCount": 7, "VulStatus": "YES", "RiskStatus": "YES"}), true, knownvalue.Bool(true)},
		{"scanned clean", lookupImage("u-clean", "prod", "clean", "1"), true, knownvalue.Bool(false)},
		{"never scanned reads as unknown, not clean", lookupImage("u-never", "prod", "never", "1", never), false, knownvalue.Null()},
		{"failed scan with a scan time", lookupImage("u-failed", "prod", "failed", "1", fakesas.Image{"ScaStatus": "FAIL"}), false, knownvalue.Null()},
		{"scanned without risk_status", lookupImage("u-nostatus", "prod", "nostatus", "1", fakesas.Image{"RiskStatus": nil}), true, knownvalue.Null()},
	}
	var images []fakesas.Image
	config := ""
	var checks []statecheck.StateCheck
	for k, tc := range cases {
		images = append(images, tc.image)
		name := fmt.Sprintf("c%d", k)
		config += fmt.Sprintf("data \"sas_image_instance\" %q {\n  digest = %s\n}\n", name, hcl(field(tc.image, "Digest")))
		addr := "data.sas_image_instance." + name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("uuid"), knownvalue.StringExact(field(tc.image, "Uuid"))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("scanned"), knownvalue.Bool(tc.scanned)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("risky"), tc.risky))
	}
	fake := startFake(t, fakesas.Options{Images: images})
	accTest(t, resource.TestStep{Config: providerConfig(fake) + config, ConfigStateChecks: checks})
}

// The service's criteria may match substrings: only the image whose fields
// equal the arguments counts.
func TestAccImageInstance_keepsOnlyExactMatchesWhenTheServiceMatchesLoosely(t *testing.T) {
	images := []fakesas.Image{
		lookupImage("u-v2", "prod", "payments-api-v2", "1.4.2"),
		lookupImage("u-rc", "prod", "payments-api", "1.4.2-rc.1"),
		lookupImage("u-eu", "prod-eu", "payments-api", "1.4.2"),
		lookupImage("u-exact", "prod", "payments-api", "1.4.2"),
	}
	// What the loose fake returns for the same criteria: every image whose
	// fields contain the values.
	var loose []string
	for _, i := range images {
		if strings.Contains(field(i, "RepoName"), "payments-api") && strings.Contains(field(i, "Tag"), "1.4.2") && strings.Contains(field(i, "RepoNamespace"), "prod") {
			loose = append(loose, field(i, "Uuid"))
		}
	}
	if len(loose) < 2 {
		t.Fatalf("the dataset must make the loose fake return several images, got %v", loose)
	}
	fake := startFake(t, fakesas.Options{Images: images, SubstringCriteria: true})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
data "sas_image_instance" "test" {
  repo_name      = "payments-api"
  tag            = "1.4.2"
  repo_namespace = "prod"
}
data "sas_image_instances" "test" {
  criteria = [
    { name = "repoName", value = "payments-api" },
    { name = "tag", value = "1.4.2" },
    { name = "repoNamespace", value = "prod" },
  ]
}`,
		ConfigStateChecks: append(expectImage(oneAddr, images[3]), expectIDs(dsAddr, loose...)),
	})
}

func TestAccImageInstance_noMatchIsAnErrorNamingTheSelectorAndEndpoint(t *testing.T) {
	images := []fakesas.Image{lookupImage("u-1", "prod", "payments-api", "1.4.2")}
	cases := []struct{ name, args, selector string }{
		{"repository and tag", `repo_name = "payments-api"` + "\n" + `tag = "9.9.9"`, `repo_name = "payments-api", tag = "9.9.9"`},
		{"most_recent does not hide it", `repo_name = "payments-api"` + "\ntag = \"9.9.9\"\nmost_recent = true", `repo_name = "payments-api", tag = "9.9.9"`},
		{"narrowed away", `repo_name = "payments-api"` + "\ntag = \"1.4.2\"\n" + `repo_namespace = "staging"`, `repo_name = "payments-api", tag = "1.4.2", repo_namespace = "staging"`},
		{"digest", "digest = " + hcl("sha256:"+sha256Hex("nothing")), `digest = "` + sha256Hex("nothing") + `"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: images})
			accTest(t, resource.TestStep{
				Config: providerConfig(fake) + "data \"sas_image_instance\" \"test\" {\n" + tc.args + "\n}",
				ExpectError: errorMatching("No Security Center image matches", "No image matches "+tc.selector,
					"(endpoint "+fake.Endpoint()+", provider region "+argument("region").def+")", "sas_image_instances"),
			})
			requireCallsPerRead(t, fake, 1)
		})
	}
}

func TestAccImageInstance_severalMatchesFailUnlessMostRecent(t *testing.T) {
	prod := lookupImage("u-prod", "prod", "payments-api", "1.4.3", fakesas.Image{"ImageUpdate": "1760000000001"})
	staging := lookupImage("u-staging", "staging", "payments-api", "1.4.3", fakesas.Image{"RegionId": "cn-shanghai"})
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{staging, prod}})
	line := func(i fakesas.Image) string {
		return fmt.Sprintf("- %s/%s:%s, digest %s, region %s, instance %s", field(i, "RepoNamespace"), field(i, "RepoName"), field(i, "Tag"),
			field(i, "Digest"), field(i, "RegionId"), field(i, "InstanceId"))
	}
	lookup := providerConfig(fake) + "data \"sas_image_instance\" \"test\" {\n  repo_name = \"payments-api\"\n  tag = \"1.4.3\"\n"
	accTest(t,
		resource.TestStep{
			Config: lookup + "}",
			ExpectError: errorMatching("Several Security Center images match", `2 images match repo_name = "payments-api", tag = "1.4.3"`,
				line(staging), line(prod), "repo_namespace, instance_id, region_id or registry_type", "most_recent = true"),
		},
		resource.TestStep{
			Config:            lookup + "  most_recent = true\n}",
			ConfigStateChecks: append(expectImage(oneAddr, prod), expectOne("most_recent", knownvalue.Bool(true))),
		},
	)
	requireCallsPerRead(t, fake, 1)
}

// most_recent takes the newest image_update, then the newest image_create,
// then the smallest uuid; an image without image_update counts as oldest.
func TestAccImageInstance_mostRecentTieBreaks(t *testing.T) {
	at := func(uuid, repo, updated, created string) fakesas.Image {
		return lookupImage(uuid, "prod", repo, "1", fakesas.Image{"ImageUpdate": updated, "ImageCreate": created})
	}
	noUpdate := lookupImage("u-none-a", "prod", "none", "1", fakesas.Image{"ImageUpdate": nil})
	cases := []struct {
		repo   string
		images []fakesas.Image
		want   int
	}{
		{"update", []fakesas.Image{at("u-upd-a", "update", "1760000000000", "1760000000009"), at("u-upd-b", "update", "1760000000005", "1750000000000")}, 1},
		{"create", []fakesas.Image{at("u-cre-a", "create", "1760000000005", "1750000000002"), at("u-cre-b", "create", "1760000000005", "1750000000001")}, 0},
		{"uuid", []fakesas.Image{at("u-uid-b", "uuid", "1760000000005", "1750000000001"), at("u-uid-a", "uuid", "1760000000005", "1750000000001")}, 1},
		{"none", []fakesas.Image{noUpdate, at("u-none-b", "none", "1", "1")}, 1},
	}
	var images []fakesas.Image
	config := ""
	var checks []statecheck.StateCheck
	for _, tc := range cases {
		images = append(images, tc.images...)
		config += fmt.Sprintf("data \"sas_image_instance\" %q {\n  repo_name = %q\n  tag = \"1\"\n  most_recent = true\n}\n", tc.repo, tc.repo)
		checks = append(checks, statecheck.ExpectKnownValue("data.sas_image_instance."+tc.repo, tfjsonpath.New("uuid"),
			knownvalue.StringExact(field(tc.images[tc.want], "Uuid"))))
	}
	fake := startFake(t, fakesas.Options{Images: images})
	accTest(t, resource.TestStep{Config: providerConfig(fake) + config, ConfigStateChecks: checks})
}

// A lookup reads one page of 100. When the service reports more matches,
// an exact match or a newer one could be on a page not read: the lookup
// fails instead of guessing.
func TestAccImageInstance_readsOnePageAndFailsClosedBeyondIt(t *testing.T) {
	images := []fakesas.Image{lookupImage("u-exact", "prod", "payments-api", "1.0")}
	for k := range 120 {
		images = append(images, lookupImage(fmt.Sprintf("u-%03d", k), "prod", fmt.Sprintf("payments-api-%03d", k), "1.0"))
	}
	fake := startFake(t, fakesas.Options{Images: images, SubstringCriteria: true})
	config := providerConfig(fake) + "data \"sas_image_instance\" \"test\" {\n  repo_name = \"payments-api\"\n  tag = \"1.0\"\n%s}"
	accTest(t,
		resource.TestStep{
			Config: fmt.Sprintf(config, ""),
			ExpectError: errorMatching("Too many Security Center images to look up one",
				fmt.Sprintf(`DescribeImageInstances reports %d images for repo_name = "payments-api", tag = "1.0"`, len(images)),
				"more than the 100 one lookup reads", "Of those read, 1 match exactly; the ones not read could hold another", "repo_namespace, instance_id, region_id or registry_type"),
		},
		resource.TestStep{
			Config:      fmt.Sprintf(config, "  most_recent = true\n"),
			ExpectError: errorMatching("Too many Security Center images to look up one"),
		},
	)
	requireCallsPerRead(t, fake, 1)
}

// A selector only known during apply is not rejected at plan time.
func TestAccImageInstance_selectorKnownOnlyAtApply(t *testing.T) {
	image := lookupImage("u-1", "prod", "payments-api", "1.4.2")
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{image}})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
resource "terraform_data" "build" {
  input = ` + hcl("sha256:"+field(image, "Digest")) + `
}
data "sas_image_instance" "test" {
  digest = terraform_data.build.output
}`,
		ConfigStateChecks: expectImage(oneAddr, image),
	})
}

func TestAccImageInstance_invalidConfigurationFailsAtPlanWithoutCallingTheAPI(t *testing.T) {
	digest := sha256Hex("x")
	cases := []struct {
		name string
		args string
		want []string
	}{
		{"no selector", ``, []string{"No image selector", "Set exactly one of digest, image_id, or repo_name together with tag"}},
		{"only narrowing", `repo_namespace = "prod"`, []string{"No image selector", "repo_namespace, instance_id, region_id or registry_type only narrow"}},
		{"digest and image_id", "digest = " + hcl(digest) + "\nimage_id = \"abc\"", []string{"Several image selectors", "sets digest and image_id"}},
		{"digest and repository", "digest = " + hcl(digest) + "\nrepo_name = \"r\"\ntag = \"1\"", []string{"Several image selectors", "sets digest and repo_name with tag"}},
		{"image_id and tag", "image_id = \"abc\"\ntag = \"1\"", []string{"Several image selectors", "sets image_id and repo_name with tag"}},
		{"tag without repo_name", `tag = "1.4.2"`, []string{"tag without repo_name", "with data.sas_image_instance.test", "tag selects an image only together with repo_name"}},
		{"repo_name without tag", `repo_name = "payments-api"`, []string{"repo_name without tag", "repo_name selects an image only together with tag"}},
		{"short digest", `digest = "sha256:abc123"`, []string{"Invalid image digest", "must be a sha256 image digest"}},
		{"other algorithm", "digest = " + hcl("sha512:"+digest), []string{"Invalid image digest", "must be a sha256 image digest"}},
		{"prefix only image_id", `image_id = "sha256:"`, []string{"Attribute image_id must be an image id"}},
		{"empty repo_name", "repo_name = \"\"\ntag = \"1\"", []string{"Attribute repo_name string length must be at least 1"}},
		{"empty narrowing", "digest = " + hcl(digest) + "\nregion_id = \"\"", []string{"Attribute region_id string length must be at least 1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: []fakesas.Image{lookupImage("u-1", "prod", "r", "1")}})
			accTest(t, resource.TestStep{
				Config:      providerConfig(fake) + "data \"sas_image_instance\" \"test\" {\n" + tc.args + "\n}",
				PlanOnly:    true,
				ExpectError: errorMatching(tc.want...),
			})
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("invalid configuration reached the API: %d requests", n)
			}
		})
	}
}
