package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

const dsAddr = "data.sas_image_instances.test"

func imageAttr(index int, name string) tfjsonpath.Path {
	return tfjsonpath.New("images").AtSliceIndex(index).AtMapKey(name)
}

func expectAttr(path tfjsonpath.Path, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(dsAddr, path, value)
}

func TestAccImageInstances_everyAttributeOfAFullImage(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{fakesas.FullImage()}})
	want := map[string]knownvalue.Check{
		"uuid":             knownvalue.StringExact("f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"),
		"image_id":         knownvalue.StringExact("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"),
		"digest":           knownvalue.StringExact("d1e2a3d4b5e6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70"),
		"tag":              knownvalue.StringExact("v9.8.7-rc.5"),
		"repo_name":        knownvalue.StringExact("full-repo"),
		"repo_namespace":   knownvalue.StringExact("full-ns"),
		"repo_id":          knownvalue.StringExact("0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
		"repo_type":        knownvalue.StringExact("public"),
		"registry_type":    knownvalue.StringExact("harbor"),
		"instance_id":      knownvalue.StringExact("harbor-full0001"),
		"region_id":        knownvalue.StringExact("cn-shanghai"),
		"status":           knownvalue.StringExact("NORMAL"),
		"image_size":       knownvalue.Int64Exact(123456789),
		"image_create":     knownvalue.Int64Exact(1701234567890),
		"image_created_at": knownvalue.StringExact("2023-11-29T05:09:27Z"),
		"image_update":     knownvalue.Int64Exact(1712345678901),
		"image_updated_at": knownvalue.StringExact("2024-04-05T19:34:38Z"),
		"last_scan_time":   knownvalue.Int64Exact(1712349999000),
		"last_scanned_at":  knownvalue.StringExact("2024-04-05T20:46:39Z"),
		"vul_count":        knownvalue.Int64Exact(11),
		"hc_count":         knownvalue.Int64Exact(3),
		"alarm_count":      knownvalue.Int64Exact(5),
		"sca_progress":     knownvalue.Int64Exact(99),
		"vul_status":       knownvalue.StringExact("YES"),
		"hc_status":        knownvalue.StringExact("YES"),
		"alarm_status":     knownvalue.StringExact("YES"),
		"risk_status":      knownvalue.StringExact("YES"),
		"sca_status":       knownvalue.StringExact("PRE_ANALYZER_SUCCESS"),
		"sca_result":       knownvalue.StringExact("TASK_NOT_SUPPORT_REGION"),
		"deployed":         knownvalue.Bool(true),
		"endpoints": knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact("harbor.full.example/full-ns/full-repo:v9.8.7-rc.5"),
			knownvalue.StringExact("harbor-vpc.full.example/full-ns/full-repo:v9.8.7-rc.5"),
		}),
		"source_biz_tag": knownvalue.StringExact("PAI"),
	}
	if len(want) != len(imageSchemaAttributes()) {
		t.Fatalf("the test checks %d attributes but images have %d: check every attribute", len(want), len(imageSchemaAttributes()))
	}
	checks := []statecheck.StateCheck{
		expectAttr(tfjsonpath.New("total_count"), knownvalue.Int64Exact(1)),
		expectAttr(tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f")})),
		expectAttr(tfjsonpath.New("images"), knownvalue.ListSizeExact(1)),
	}
	for name, check := range want {
		checks = append(checks, expectAttr(imageAttr(0, name), check))
	}
	accTest(t, resource.TestStep{
		Config:            providerConfig(fake) + `data "sas_image_instances" "test" {}`,
		ConfigStateChecks: checks,
	})
}

func TestAccImageInstances_criteriaCombineWithAndOr(t *testing.T) {
	images := []fakesas.Image{
		img("u-a1", "alpha", "1.0"), img("u-a2", "alpha", "2.0"), img("u-b1", "beta", "1.0"), img("u-c3", "gamma", "3.0"),
	}
	fake := startFake(t, fakesas.Options{Images: images})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
data "sas_image_instances" "and" {
  criteria    = [{ name = "repoName", value = "alpha" }, { name = "tag", value = "1.0" }]
  logical_exp = "AND"
}
data "sas_image_instances" "default_is_and" {
  criteria = [{ name = "repoName", value = "alpha" }, { name = "tag", value = "1.0" }]
}
data "sas_image_instances" "or" {
  criteria    = [{ name = "repoName", value = "alpha" }, { name = "tag", value = "1.0" }]
  logical_exp = "OR"
}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectIDs("data.sas_image_instances.and", "u-a1"),
			expectIDs("data.sas_image_instances.default_is_and", "u-a1"),
			expectIDs("data.sas_image_instances.or", "u-a1", "u-a2", "u-b1"),
			statecheck.ExpectKnownValue("data.sas_image_instances.or", tfjsonpath.New("total_count"), knownvalue.Int64Exact(3)),
		},
	})
}

func TestAccImageInstances_criteriaValuesReachTheServiceVerbatim(t *testing.T) {
	values := []string{"日本語-タグ", "with space", "a/b/c", "1.0+build", "x&y=z", "star*", `quote"d`, "it's", `back\slash`, "%{not-a-template}", "${nor-this}", "emoji-🚀"}
	var images []fakesas.Image
	config := ""
	var checks []statecheck.StateCheck
	for k, v := range values {
		uuid := fmt.Sprintf("u-special-%02d", k)
		images = append(images, img(uuid, "special", v))
		name := fmt.Sprintf("v%02d", k)
		config += fmt.Sprintf("data \"sas_image_instances\" %q {\n  criteria = [{ name = \"tag\", value = %s }]\n}\n", name, hcl(v))
		checks = append(checks,
			expectIDs("data.sas_image_instances."+name, uuid),
			statecheck.ExpectKnownValue("data.sas_image_instances."+name, imageAttr(0, "tag"), knownvalue.StringExact(v)))
	}
	images = append(images, img("u-decoy", "special", "decoy"))
	fake := startFake(t, fakesas.Options{Images: images})
	accTest(t, resource.TestStep{Config: providerConfig(fake) + config, ConfigStateChecks: checks})

	for _, r := range fake.Requests() {
		if c := r.Query.Get("Criteria"); c != "" && !strings.Contains(c, `"logicalExp":"AND"`) {
			t.Errorf("criteria sent without the logical operator on each element: %s", c)
		}
	}
}

func TestAccImageInstances_scannedFilter(t *testing.T) {
	never := fakesas.Image{"ScaStatus": "INIT", "LastScanTime": 0, "ScaProgress": 0}
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{
		img("u-scanned-1", "r", "1"), img("u-never", "r", "2", never), img("u-scanned-2", "r", "3"),
	}})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
data "sas_image_instances" "scanned" {
  scanned = true
}
data "sas_image_instances" "unscanned" {
  scanned = false
}
data "sas_image_instances" "all" {}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectIDs("data.sas_image_instances.scanned", "u-scanned-1", "u-scanned-2"),
			expectIDs("data.sas_image_instances.unscanned", "u-never"),
			expectIDs("data.sas_image_instances.all", "u-scanned-1", "u-never", "u-scanned-2"),
		},
	})
}

func TestAccImageInstances_readsEveryPageWithTheMinimumOfCalls(t *testing.T) {
	images := fakesas.GenerateImages(537, 7)
	ids := uuids(images)
	cases := []struct {
		name         string
		serverCap    int
		pageSize     string
		callsPerRead int
	}{
		{"default page size", 100, "", 6},
		{"page size below the server cap", 100, "page_size = 50", 11},
		{"page size above the server cap", 30, "page_size = 100", 18},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: images, MaxPageSize: tc.serverCap})
			accTest(t, resource.TestStep{
				Config: providerConfig(fake) + "data \"sas_image_instances\" \"test\" {\n" + tc.pageSize + "\n}",
				ConfigStateChecks: []statecheck.StateCheck{
					expectIDs(dsAddr, ids...),
					expectAttr(tfjsonpath.New("total_count"), knownvalue.Int64Exact(537)),
					expectAttr(tfjsonpath.New("images"), knownvalue.ListSizeExact(537)),
					expectAttr(imageAttr(536, "uuid"), knownvalue.StringExact(ids[536])),
				},
			})
			requireCallsPerRead(t, fake, tc.callsPerRead)
		})
	}
}

func TestAccImageInstances_maxResultsStopsEarly(t *testing.T) {
	images := fakesas.GenerateImages(537, 11)
	ids := uuids(images)
	fake := startFake(t, fakesas.Options{Images: images})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
data "sas_image_instances" "test" {
  max_results = 150
}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectIDs(dsAddr, ids[:150]...),
			expectAttr(tfjsonpath.New("total_count"), knownvalue.Int64Exact(537)),
			expectAttr(tfjsonpath.New("summary").AtMapKey("images"), knownvalue.Int64Exact(150)),
		},
	})
	requireCallsPerRead(t, fake, 2)
}

func TestAccImageInstances_noMatchIsEmptyNotAnError(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
data "sas_image_instances" "test" {
  criteria = [{ name = "repoName", value = "does-not-exist" }]
}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr(tfjsonpath.New("images"), knownvalue.ListSizeExact(0)),
			expectAttr(tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
			expectAttr(tfjsonpath.New("total_count"), knownvalue.Int64Exact(0)),
			expectAttr(tfjsonpath.New("summary").AtMapKey("images"), knownvalue.Int64Exact(0)),
		},
	})
	requireCallsPerRead(t, fake, 1)
}

func TestAccImageInstances_missingFieldsAreNullNotZero(t *testing.T) {
	never := img("u-never", "r", "never", fakesas.Image{"ScaStatus": "INIT", "LastScanTime": 0, "ScaProgress": 0})
	sparse := fakesas.Image{"Uuid": "u-sparse", "RepoName": "r", "Tag": "sparse"}
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{never, sparse}})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `data "sas_image_instances" "test" {}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr(imageAttr(0, "source_biz_tag"), knownvalue.Null()),
			expectAttr(imageAttr(0, "last_scan_time"), knownvalue.Int64Exact(0)),
			expectAttr(imageAttr(0, "last_scanned_at"), knownvalue.Null()),
			expectAttr(imageAttr(0, "vul_count"), knownvalue.Int64Exact(0)),
			expectAttr(imageAttr(0, "endpoints"), knownvalue.ListSizeExact(0)),
			expectAttr(imageAttr(1, "vul_count"), knownvalue.Null()),
			expectAttr(imageAttr(1, "deployed"), knownvalue.Null()),
			expectAttr(imageAttr(1, "endpoints"), knownvalue.Null()),
			expectAttr(imageAttr(1, "image_created_at"), knownvalue.Null()),
			expectAttr(imageAttr(1, "risk_status"), knownvalue.Null()),
			expectAttr(tfjsonpath.New("summary").AtMapKey("not_scanned"), knownvalue.Int64Exact(2)),
		},
	})
}

func TestAccImageInstances_recordsChangingBetweenPagesGiveNoDuplicates(t *testing.T) {
	images := fakesas.GenerateImages(250, 3)
	fake := startFake(t, fakesas.Options{Images: images})
	// After every first page, two new images appear at the front: every
	// later page then repeats the last two records of the page before it.
	fake.OnDescribeImageInstances(func(int) {
		current := fake.Images()
		if len(current) >= 250+200 {
			return
		}
		fresh := fakesas.GenerateImages(2, int64(len(current)))
		for k := range fresh {
			fresh[k]["Uuid"] = fmt.Sprintf("u-new-%d-%d", len(current), k)
		}
		fake.SetImages(append(fresh, current...))
	})
	// Every image present for the whole read is in the result, once, in
	// order, and the user is warned that the listing moved.
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "WARN")
	t.Setenv("TF_ACC_LOG_PATH", logFile)
	accTest(t, resource.TestStep{
		Config: providerConfig(fake, "max_concurrency = 1") + `data "sas_image_instances" "test" {}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr(tfjsonpath.New("ids"), uniqueStrings{}),
			expectAttr(tfjsonpath.New("ids"), containsInOrder(uuids(images))),
		},
	})
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`Response contains warning diagnostic.*changed during the read`).Match(log) {
		t.Error("no warning that the listing changed during the read")
	}
}

func TestAccImageInstances_postconditionFailsThePlanForAVulnerableImage(t *testing.T) {
	images := fakesas.DemoImages(time.Now())
	var vulnerabilities any
	for _, i := range images {
		if i["Uuid"] == fakesas.DemoUUIDPaymentsVulnerable {
			vulnerabilities = i["VulCount"]
		}
	}
	fake := startFake(t, fakesas.Options{Images: images})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `
data "sas_image_instances" "release" {
  criteria = [{ name = "repoName", value = "payments-api" }, { name = "tag", value = "1.4.2" }]

  lifecycle {
    postcondition {
      condition     = self.summary.risky == 0 && self.summary.not_scanned == 0
      error_message = "payments-api:1.4.2 has ${self.summary.vulnerabilities} vulnerabilities."
    }
  }
}`,
		ExpectError: errorMatching("Resource postcondition failed", fmt.Sprintf("payments-api:1.4.2 has %v vulnerabilities.", vulnerabilities)),
	})
}
