package provider

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// unitTimeTests are the unit tests that pin every time conversion to an
// exact UTC text.
var unitTimeTests = []string{"TestNewImageModel_mapsEveryFieldFromTheWire", "TestMillisText"}

// The time conversions give UTC whatever the zone the provider runs in. In
// UTC a time left in local time looks right, so the tests that pin them run
// again in zones that are not UTC, in processes of their own (a process
// reads TZ once). The acceptance twin is TestAccTimeFields_areUTCInEveryTimeZone.
func TestTimeConversions_areUTCInEveryTimeZone(t *testing.T) {
	run := "^(TestProcessZone|" + strings.Join(unitTimeTests, "|") + ")$"
	for _, zone := range []string{"Asia/Shanghai", "America/St_Johns"} {
		t.Run(zone, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run="+run, "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "TZ="+zone, timeZoneEnv+"="+zone)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("in %s: %v\n%s", zone, err, out)
			}
			for _, name := range append([]string{"TestProcessZone"}, unitTimeTests...) {
				if !strings.Contains(string(out), "--- PASS: "+name+" ") {
					t.Errorf("in %s %s did not pass:\n%s", zone, name, out)
				}
			}
		})
	}
}

// TestProcessZone checks, in a re-run, that the process is in the zone it
// was given and that the zone is not UTC-alike.
func TestProcessZone(t *testing.T) {
	zone := os.Getenv(timeZoneEnv)
	if zone == "" {
		t.Skip("run by TestTimeConversions_areUTCInEveryTimeZone, in a process of its own")
	}
	if err := checkProcessZone(zone, nil); err != nil {
		t.Fatal(err)
	}
	if _, offset := time.UnixMilli(1712345678901).Zone(); offset == 0 {
		t.Fatalf("%s is UTC-alike: a time left in local time would pass", zone)
	}
}
