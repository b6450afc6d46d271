package provider

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// timeZoneEnv names the zone a re-run of this test binary must be in.
const timeZoneEnv = "SAS_TEST_TIME_ZONE"

// The *_at attributes are RFC 3339 in UTC whatever the zone the provider
// runs in. The in-process provider runs in the test process, and a
// process reads TZ once, so each zone gets a process of its own: this test
// binary, run again with TZ set, runs TestAccTimeFields_inThisProcessZone.
func TestAccTimeFields_areUTCInEveryTimeZone(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	for _, zone := range []string{"Asia/Shanghai", "UTC", "America/St_Johns"} {
		t.Run(zone, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestAccTimeFields_inThisProcessZone$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "TZ="+zone, timeZoneEnv+"="+zone)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("in %s: %v\n%s", zone, err, out)
			}
			if !strings.Contains(string(out), "--- PASS: TestAccTimeFields_inThisProcessZone") {
				t.Fatalf("in %s the test did not run:\n%s", zone, out)
			}
		})
	}
}

func TestAccTimeFields_inThisProcessZone(t *testing.T) {
	zone := os.Getenv(timeZoneEnv)
	if zone == "" {
		t.Skip("run by TestAccTimeFields_areUTCInEveryTimeZone, in a process of its own")
	}
	never := img("u-never", "r", "never", fakesas.Image{"ScaStatus": "INIT", "LastScanTime": 0})
	images := append(fakesas.GenerateImages(30, 77), fakesas.FullImage(), never)
	if err := checkProcessZone(zone, images); err != nil {
		t.Fatal(err)
	}
	fake := startFake(t, fakesas.Options{Images: images})
	var checks []statecheck.StateCheck
	for k, image := range images {
		for attr, field := range map[string]string{"image_created_at": "ImageCreate", "image_updated_at": "ImageUpdate", "last_scanned_at": "LastScanTime"} {
			var want knownvalue.Check = knownvalue.Null() // absent, or a scan time of 0: never scanned
			if ms, sent := wireMillis(t, image, field); sent && (ms > 0 || field != "LastScanTime") {
				want = knownvalue.StringExact(time.UnixMilli(ms).UTC().Format(time.RFC3339))
			}
			checks = append(checks, expectAttr(imageAttr(k, attr), want))
		}
	}
	accTest(t, resource.TestStep{
		Config:            providerConfig(fake) + `data "sas_image_instances" "test" {}`,
		ConfigStateChecks: checks,
	})
}

// checkProcessZone makes sure the process really is in zone, and that in a
// zone other than UTC the local rendering of the images' times differs
// from the UTC one, so a time left in local time cannot pass.
func checkProcessZone(zone string, images []fakesas.Image) error {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return err
	}
	at := time.UnixMilli(1712345678901)
	_, localOffset := at.Zone()
	_, zoneOffset := at.In(loc).Zone()
	if localOffset != zoneOffset {
		return fmt.Errorf("TZ=%s did not take: the process is %ds from UTC, the zone %ds", zone, localOffset, zoneOffset)
	}
	if zoneOffset == 0 || len(images) == 0 {
		return nil
	}
	if at.Format(time.RFC3339) == at.UTC().Format(time.RFC3339) {
		return fmt.Errorf("in %s local and UTC times render alike: the test cannot tell them apart", zone)
	}
	return nil
}

// wireMillis reads a time field of a wire image, in either of its forms;
// sent is false when the image has none.
func wireMillis(t *testing.T, image fakesas.Image, field string) (ms int64, sent bool) {
	t.Helper()
	if image[field] == nil {
		return 0, false
	}
	ms, err := strconv.ParseInt(fmt.Sprint(image[field]), 10, 64)
	if err != nil {
		t.Fatalf("%s = %#v is not Unix milliseconds", field, image[field])
	}
	return ms, true
}
