package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Live tests run the data sources against the real Alibaba Cloud API, with
// the credentials and region of the environment. They assert only what
// holds for any account. `make testacc-live` runs them; every other run
// skips them and never leaves loopback.
func liveTest(t *testing.T) {
	t.Helper()
	if os.Getenv("SAS_LIVE") != "1" {
		t.Skip("live test: set SAS_LIVE=1 (make testacc-live) and Alibaba Cloud credentials to run it against the real API")
	}
	if os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID") == "" && os.Getenv("ALICLOUD_ACCESS_KEY") == "" && os.Getenv("ALIBABA_CLOUD_PROFILE") == "" {
		t.Skip("live test: no credentials in the environment (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET or ALIBABA_CLOUD_PROFILE)")
	}
}

// nonNegative checks a number is zero or more.
type nonNegative struct{}

func (nonNegative) CheckValue(v any) error {
	n, ok := v.(json.Number)
	if !ok {
		return fmt.Errorf("expected a number, got %T", v)
	}
	f, err := n.Float64()
	if err != nil || f < 0 {
		return fmt.Errorf("expected a non-negative number, got %v", v)
	}
	return nil
}

func (nonNegative) String() string { return "non-negative number" }

func TestAccLive_imageInstancesInvariants(t *testing.T) {
	liveTest(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "sas" {}

data "sas_image_instances" "big_pages" {
  max_results = 300
}

data "sas_image_instances" "small_pages" {
  page_size   = 10
  max_results = 30
}

data "sas_image_criteria" "all" {}

locals {
  big   = data.sas_image_instances.big_pages
  small = data.sas_image_instances.small_pages
}

output "consistent" {
  value = alltrue([
    length(local.big.ids) == length(distinct(local.big.ids)),
    length(local.big.ids) == length(local.big.images),
    length(local.big.ids) <= local.big.total_count,
    local.big.summary.images == length(local.big.images),
    local.big.summary.risky <= local.big.summary.images,
    local.big.summary.not_scanned <= local.big.summary.images,
    alltrue([for i in local.big.images : i.uuid != null && i.uuid != ""]),
    alltrue([for i in local.big.images : i.last_scanned_at == null || can(timecmp(i.last_scanned_at, "2000-01-01T00:00:00Z"))]),
    # Small pages see the same first images as large ones.
    slice(local.small.ids, 0, min(30, length(local.small.ids))) == slice(local.big.ids, 0, min(30, length(local.big.ids))),
  ])
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("consistent", knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.sas_image_instances.big_pages", tfjsonpath.New("total_count"), nonNegative{}),
				statecheck.ExpectKnownValue("data.sas_image_criteria.all", tfjsonpath.New("criteria"), knownvalue.NotNull()),
			},
		}},
	})
}
