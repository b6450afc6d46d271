package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// Twenty data sources of 1,000 images each in one plan, against a service
// that allows 20 requests a second with 20 ms of latency: every data source
// of the provider shares one pace learnt from the throttling, so all of
// them succeed and few attempts are throttled, at Terraform's default
// parallelism and at 20. (With a limiter per data source, 5 of the 20
// failed at parallelism 10 and 11 at 20, with most calls throttled.)
func TestAccRateLimit_twentyDataSourcesShareTheServicesRate(t *testing.T) {
	const sources, perSource = 20, 1000
	images := fakesas.GenerateImages(sources*perSource, 16)
	risky := make([]int64, sources)
	for k, img := range images {
		img["RepoNamespace"] = fmt.Sprintf("team-%02d", k/perSource)
		if img["RiskStatus"] == "YES" {
			risky[k/perSource]++
		}
	}
	var config strings.Builder
	var checks []statecheck.StateCheck
	for s := range sources {
		name := fmt.Sprintf("team%02d", s)
		fmt.Fprintf(&config, "data \"sas_image_instances\" %q {\n  criteria     = [{ name = \"repoNamespace\", value = \"team-%02d\" }]\n  summary_only = true\n}\n", name, s)
		addr := "data.sas_image_instances." + name
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total_count"), knownvalue.Int64Exact(perSource)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("summary").AtMapKey("images"), knownvalue.Int64Exact(perSource)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("summary").AtMapKey("risky"), knownvalue.Int64Exact(risky[s])))
	}

	for _, parallelism := range []int{10, 20} {
		t.Run(fmt.Sprintf("parallelism=%d", parallelism), func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: images, Latency: 20 * time.Millisecond, QPS: 20})
			for _, command := range []string{"plan", "apply", "refresh"} {
				t.Setenv("TF_CLI_ARGS_"+command, fmt.Sprintf("-parallelism=%d", parallelism))
			}
			accTest(t, resource.TestStep{Config: providerConfig(fake) + config.String(), ConfigStateChecks: checks})

			calls, throttled, reads := 0, 0, 0
			for _, r := range fake.Requests() {
				calls++
				if r.RateLimited {
					throttled++
				}
				if r.Query.Get("CurrentPage") == "1" {
					reads++
				}
			}
			t.Logf("-parallelism=%d: %d of %d calls throttled over %d data source reads", parallelism, throttled, calls, reads)
			if reads < sources {
				t.Fatalf("the fake saw %d data source reads, want at least %d", reads, sources)
			}
			if throttled == 0 {
				t.Fatal("no request was throttled: the QPS limit did not apply and the test proves nothing")
			}
			if throttled*10 > calls {
				t.Errorf("%d of %d calls throttled, want at most 10%%", throttled, calls)
			}
		})
	}
}
