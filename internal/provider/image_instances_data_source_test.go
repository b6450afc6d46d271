package provider

import (
	"testing"

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
		"tag":              knownvalue.StringExact("9.8.7-full"),
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
			knownvalue.StringExact("harbor.full.example/full-ns/full-repo:9.8.7-full"),
			knownvalue.StringExact("harbor-vpc.full.example/full-ns/full-repo:9.8.7-full"),
		}),
		"source_biz_tag": knownvalue.StringExact("PAI"),
	}
	if len(want) != len(imageFields) {
		t.Fatalf("the test checks %d attributes but images have %d: check every attribute", len(want), len(imageFields))
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
