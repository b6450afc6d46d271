// Package scripts holds the developer scripts; this test keeps `make demo`
// working by running it the way the README says.
package scripts

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func TestDemoShowsTheReleaseRisksAndGatesTheRelease(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs Terraform: runs under make test (TF_ACC=1)")
	}
	story := demoExpectations(t)
	start := time.Now().UTC()
	cmd := exec.Command("bash", "demo.sh")
	cmd.Env = append(os.Environ(), "TF_LOG=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo failed: %v\n%s", err, out)
	}
	planDays := []time.Time{start, time.Now().UTC()} // the plans ran in between
	output := string(out)

	want := []string{
		fmt.Sprintf("gate: %s passed", story.cleanReference),
		fmt.Sprintf("payments-api:1.4.2 has %d urgent vulnerabilities with a fix:", len(story.urgentFixable)),
		"gate: blocked, as it should be",
		"riskiest images:",
		"release vulnerabilities by priority (unfixed):",
		"Demo complete",
	}
	want = append(want, story.urgentFixable...)
	want = append(want, story.cleanSecrets...)
	want = append(want, story.cleanMalware)
	want = append(want, story.vulnerableGate.blockedLines()...)
	want = append(want, story.cleanGate.imageLines()...)
	want = append(want, story.cleanGate.verdict())
	for _, w := range want {
		if !strings.Contains(output, w) {
			t.Errorf("demo output lacks %q", w)
		}
	}
	for _, line := range story.cleanGate.datedLines() {
		if !containsOnSomeDay(output, line, planDays) {
			t.Errorf("demo output lacks %q (with the expiry %d days after the plan)", line.format, line.days)
		}
	}
	if !strings.Contains(output, "Warning: Exception expires soon") {
		t.Errorf("demo output lacks the warning for the exception that expires soon")
	}
	for _, e := range demoExceptions {
		warning := datedLine{fmt.Sprintf("The exception for %s %q expires %%s", e.kind, e.id), e.days}
		warned := containsOnSomeDay(output, warning, planDays)
		if soon := e.days <= 14; warned != soon {
			t.Errorf("exception %s %s expiring in %d days: warned %v, want %v", e.kind, e.id, e.days, warned, soon)
		}
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", out)
	}
}

// demoStory is what the demo must show, worked out from the fake's demo
// dataset and the demo's release gate.
type demoStory struct {
	// cleanReference is payments-api:1.4.3 pinned by digest.
	cleanReference string
	// urgentFixable names the unfixed asap vulnerabilities of
	// payments-api:1.4.2 that have a fix.
	urgentFixable []string
	// cleanSecrets are the lines about payments-api:1.4.3's secrets,
	// cleanMalware the line about its malicious files.
	cleanSecrets []string
	cleanMalware string
	// The release gate over payments-api:1.4.3 (the apply) and 1.4.2 (the
	// plan), each with auth-service:3.1.0.
	cleanGate, vulnerableGate gateVerdict
}

// demoExpectations reads what the demo must show from the fake's own demo
// dataset, and checks that it tells the story the demo is for.
func demoExpectations(t *testing.T) demoStory {
	t.Helper()
	images := fakesas.DemoImages(time.Now())
	fake := fakesas.New(fakesas.Options{Images: images})
	byUUID := map[string]fakesas.Image{}
	for _, img := range images {
		byUUID[fmt.Sprint(img["Uuid"])] = img
	}
	clean, vulnerable, auth := byUUID[fakesas.DemoUUIDPaymentsClean], byUUID[fakesas.DemoUUIDPaymentsVulnerable], byUUID[fakesas.DemoUUIDAuthStale]
	if clean == nil || vulnerable == nil || auth == nil {
		t.Fatal("the demo dataset lacks payments-api:1.4.3, payments-api:1.4.2 or auth-service:3.1.0")
	}
	story := demoStory{
		cleanReference: pinnedReference(t, clean),
		urgentFixable:  urgentFixable(fake, fakesas.DemoUUIDPaymentsVulnerable),
		cleanSecrets:   secretLines(fake, fakesas.DemoUUIDPaymentsClean),
		cleanMalware:   malwareLine(fake, fakesas.DemoUUIDPaymentsClean),
		cleanGate:      evaluateDemoGate(fake, clean, auth),
		vulnerableGate: evaluateDemoGate(fake, vulnerable, auth),
	}
	if len(story.urgentFixable) == 0 {
		t.Fatal("the demo dataset gives payments-api:1.4.2 no urgent fixable vulnerability: the gate would show nothing")
	}
	if !story.cleanGate.passed() || len(story.cleanGate.excepted) == 0 {
		t.Fatalf("the demo's release gate over payments-api:1.4.3 should pass thanks to an accepted risk; it has violations %v and accepted %v",
			story.cleanGate.violations, story.cleanGate.excepted)
	}
	if story.vulnerableGate.passed() {
		t.Fatal("the demo's release gate over payments-api:1.4.2 should block it")
	}
	return story
}

func pinnedReference(t *testing.T, img fakesas.Image) string {
	t.Helper()
	var endpoints []string
	if err := json.Unmarshal([]byte(fmt.Sprint(img["Endpoints"])), &endpoints); err != nil || len(endpoints) == 0 {
		t.Fatalf("demo image Endpoints %v: %v", img["Endpoints"], err)
	}
	registry := strings.SplitN(endpoints[0], "/", 2)[0]
	return fmt.Sprintf("%s/%v/%v@sha256:%v", registry, img["RepoNamespace"], img["RepoName"], img["Digest"])
}

func urgentFixable(fake *fakesas.Server, uuid string) []string {
	var names []string
	for _, row := range fake.VulnerabilityRows(uuid) {
		if fmt.Sprint(row["Necessity"]) == "asap" && fmt.Sprint(row["CanFix"]) == "yes" && fmt.Sprint(row["Status"]) != "7" {
			names = append(names, fmt.Sprint(row["Name"]))
		}
	}
	return names
}

// secretLines are the demo's lines about an image's secret types: the
// counts, and one line per type as the demo formats it.
func secretLines(fake *fakesas.Server, uuid string) []string {
	types := fake.SensitiveFileTypes(uuid)
	unprocessed := map[string]int{}
	var lines []string
	for _, st := range types {
		status := "handled"
		if st.Status == fakesas.SensitiveStatusUnhandled {
			status = "unhandled"
			unprocessed[st.Level]++
		}
		lines = append(lines, fmt.Sprintf("%-18s %-6s %-9s %d file(s)", st.Key, st.Level, status, len(st.Files)))
	}
	counts := fmt.Sprintf("release secrets (sas_image_sensitive_files): %d type(s); unprocessed: high %d, medium %d, low %d",
		len(types), unprocessed["high"], unprocessed["medium"], unprocessed["low"])
	return append([]string{counts}, lines...)
}

func malwareLine(fake *fakesas.Server, uuid string) string {
	files := fake.MaliciousFiles(uuid)
	unhandled := 0
	for _, f := range files {
		if f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted {
			unhandled++
		}
	}
	return fmt.Sprintf("release malicious files (sas_image_malicious_files): %d file(s), %d unhandled", len(files), unhandled)
}

// demoException is an accepted risk of the demo's release gate
// (examples/demo/main.tf), expiring days after the plan.
type demoException struct {
	kind, id, repo string
	days           int
}

var demoExceptions = []demoException{
	{kind: "sensitive_file", id: "ssh_private_key", repo: "auth-service", days: 90},
	{kind: "vulnerability", id: "CVE-2018-25224", repo: "payments-api", days: 5},
}

// gateFinding is a finding the demo's policy blocks.
type gateFinding struct {
	image, kind, id, level, label string
	cves                          []string
}

// gateVerdict is the demo's release gate over two images.
type gateVerdict struct {
	images     []string
	violations []gateFinding
	excepted   map[*demoException][]gateFinding
}

func (v gateVerdict) passed() bool { return len(v.violations) == 0 }

// evaluateDemoGate applies the demo's policy: urgent (asap) unfixed
// vulnerabilities with a fix, open high-level baseline check items, unhandled
// high or medium secrets, serious or suspicious malicious files neither
// handled nor whitelisted; then the exceptions, by kind, id (or a CVE id of
// the vulnerability) and repository.
func evaluateDemoGate(fake *fakesas.Server, images ...fakesas.Image) gateVerdict {
	v := gateVerdict{excepted: map[*demoException][]gateFinding{}}
	for _, img := range images {
		name := fmt.Sprintf("%v:%v", img["RepoName"], img["Tag"])
		v.images = append(v.images, name)
		for _, f := range demoGateFindings(fake, img, name) {
			k := slices.IndexFunc(demoExceptions, func(e demoException) bool { return e.covers(f, fmt.Sprint(img["RepoName"])) })
			if k < 0 {
				v.violations = append(v.violations, f)
				continue
			}
			v.excepted[&demoExceptions[k]] = append(v.excepted[&demoExceptions[k]], f)
		}
	}
	return v
}

func demoGateFindings(fake *fakesas.Server, img fakesas.Image, name string) []gateFinding {
	uuid := fmt.Sprint(img["Uuid"])
	var found []gateFinding
	for _, row := range fake.VulnerabilityRows(uuid) {
		if fmt.Sprint(row["Necessity"]) == "asap" && fmt.Sprint(row["CanFix"]) != "no" && fmt.Sprint(row["Status"]) != "7" {
			found = append(found, gateFinding{image: name, kind: "vulnerability", id: fmt.Sprint(row["Name"]), level: "asap",
				cves: strings.Split(fmt.Sprint(row["Related"]), ",")})
		}
	}
	for _, b := range fakesas.ImageBaselines(img) {
		for _, item := range b.Items {
			if b.Level == "high" && item.Status != fakesas.BaselineItemStatusFixed && !item.Whitelisted {
				found = append(found, gateFinding{image: name, kind: "baseline", id: item.Key, level: b.Level})
			}
		}
	}
	for _, st := range fake.SensitiveFileTypes(uuid) {
		if (st.Level == "high" || st.Level == "medium") && st.Status == fakesas.SensitiveStatusUnhandled {
			found = append(found, gateFinding{image: name, kind: "sensitive_file", id: st.Key, level: st.Level})
		}
	}
	for _, f := range fake.MaliciousFiles(uuid) {
		open := f.Status != fakesas.MaliciousStatusHandled && f.Status != fakesas.MaliciousStatusWhitelisted
		if (f.Sample.Level == "serious" || f.Sample.Level == "suspicious") && open {
			found = append(found, gateFinding{image: name, kind: "malicious_file", id: f.Sample.MD5, level: f.Sample.Level, label: f.Sample.Name.En})
		}
	}
	return found
}

func (e demoException) covers(f gateFinding, repo string) bool {
	if e.kind != f.kind || e.repo != repo {
		return false
	}
	return strings.EqualFold(e.id, f.id) || slices.ContainsFunc(f.cves, func(c string) bool { return strings.EqualFold(e.id, strings.TrimSpace(c)) })
}

// blockedLines are the lines of the gate's error: the count, then one line
// per violation.
func (v gateVerdict) blockedLines() []string {
	lines := []string{fmt.Sprintf("Release blocked: %d violation(s):", len(v.violations))}
	for _, f := range v.violations {
		what := f.id
		if f.kind == "malicious_file" {
			what = f.label
		}
		lines = append(lines, fmt.Sprintf("- %s %s: %s", f.image, f.kind, what))
	}
	return lines
}

// imageLines say whether each image passed.
func (v gateVerdict) imageLines() []string {
	var lines []string
	for _, name := range v.images {
		result := "passed"
		if slices.ContainsFunc(v.violations, func(f gateFinding) bool { return f.image == name }) {
			result = "blocked"
		}
		lines = append(lines, fmt.Sprintf("%-20s %s", name, result))
	}
	return lines
}

func (v gateVerdict) verdict() string {
	result, excepted := "blocked", 0
	if v.passed() {
		result = "passed"
	}
	for _, found := range v.excepted {
		excepted += len(found)
	}
	return fmt.Sprintf("verdict: %s (%d image(s), %d violation(s), %d accepted risk(s))", result, len(v.images), len(v.violations), excepted)
}

// datedLine is a line of the demo with a %s for an exception's expiry
// date, days after the plan.
type datedLine struct {
	format string
	days   int
}

// datedLines are the lines about the exceptions: the findings each
// covered, and the exceptions that covered nothing.
func (v gateVerdict) datedLines() []datedLine {
	var lines []datedLine
	for k := range demoExceptions {
		e := &demoExceptions[k]
		if len(v.excepted[e]) == 0 {
			lines = append(lines, datedLine{fmt.Sprintf("%s %s, until %%s: ", e.kind, e.id), e.days})
		}
		for _, f := range v.excepted[e] {
			lines = append(lines, datedLine{fmt.Sprintf("%s %s (%s) in %s, until %%s: ", f.kind, f.id, f.level, f.image), e.days})
		}
	}
	return lines
}

// containsOnSomeDay reports whether output holds the line with its date
// counted from one of the plan times (the plans ran between them).
func containsOnSomeDay(output string, line datedLine, planTimes []time.Time) bool {
	for _, at := range planTimes {
		if strings.Contains(output, fmt.Sprintf(line.format, at.AddDate(0, 0, line.days).Format(time.DateOnly))) {
			return true
		}
	}
	return false
}
