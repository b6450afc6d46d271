package provider

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// Expected values in these tests come from the fake's own account of its
// rows (fakesas.Server.VulnerabilityRows, VulnerabilityDetails), read in
// their wire form, never from the provider's output.

const (
	listAction    = "DescribeImageVulList"
	detailsAction = "DescribeVulDetails"
)

// wireStatuses is the documented meaning of the service's status codes.
var wireStatuses = map[int64]string{1: "unfixed", 4: "fixing", 7: "fixed"}

// wireInt reads a wire number or numeric string; ok is false when absent.
func wireInt(v any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	return n, err == nil
}

func wireString(v any) knownvalue.Check {
	if v == nil {
		return knownvalue.Null()
	}
	return knownvalue.StringExact(fmt.Sprint(v))
}

// wireTime is the check of a *_at attribute: RFC 3339 in UTC, null for 0
// or absent.
func wireTime(v any) knownvalue.Check {
	ms, ok := wireInt(v)
	if !ok || ms <= 0 {
		return knownvalue.Null()
	}
	return knownvalue.StringExact(time.UnixMilli(ms).UTC().Format(time.RFC3339))
}

func wireStrings(values []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for k, v := range values {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

// wireObject reads ExtendContentJson, an object or a string holding one.
func wireObject(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := v.(string); ok {
		raw = []byte(s)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("ExtendContentJson %v: %v", v, err)
	}
	return out
}

func wireScore(v any) (float64, bool) {
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	return f, v != nil && err == nil
}

// severityOf is the most severe known level of a name's CVEs, "" if none.
func severityOf(cves []fakesas.Record) string {
	best := ""
	for _, level := range []string{"low", "medium", "high", "serious"} {
		for _, c := range cves {
			if c["VulLevel"] == level {
				best = level
			}
		}
	}
	return best
}

// maxScoreOf is the highest CVSS score of a name's CVEs; ok false if none.
func maxScoreOf(cves []fakesas.Record) (float64, bool) {
	best, ok := math.Inf(-1), false
	for _, c := range cves {
		if s, valid := wireScore(c["CvssScore"]); valid {
			best, ok = max(best, s), true
		}
	}
	return best, ok
}

func float64OrNull(v float64, ok bool) knownvalue.Check {
	if !ok {
		return knownvalue.Null()
	}
	return knownvalue.Float64Exact(v)
}

// rowChecks checks every attribute of one element of vulnerabilities
// against the wire row; withDetails adds the details of its name.
func rowChecks(t *testing.T, fake *fakesas.Server, r fakesas.Record, withDetails bool) map[string]knownvalue.Check {
	t.Helper()
	status, _ := wireInt(r["Status"])
	extend := wireObject(t, r["ExtendContentJson"])
	var packages []knownvalue.Check
	for _, p := range extend["RpmEntityList"].([]any) {
		p := p.(map[string]any)
		packages = append(packages, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": wireString(p["Name"]), "version": wireString(p["Version"]), "full_version": wireString(p["FullVersion"]),
			"path": wireString(p["Path"]), "layer": wireString(p["Layer"]), "match_detail": wireString(p["MatchDetail"]),
			"update_cmd": wireString(p["UpdateCmd"]),
		}))
	}
	layers, _ := r["Layers"].([]string)
	checks := map[string]knownvalue.Check{
		"name":           wireString(r["Name"]),
		"alias_name":     wireString(r["AliasName"]),
		"cve_ids":        wireStrings(strings.Split(fmt.Sprint(r["Related"]), ",")),
		"type":           wireString(r["Type"]),
		"necessity":      wireString(r["Necessity"]),
		"status":         knownvalue.StringExact(wireStatuses[status]),
		"can_fix":        knownvalue.Bool(r["CanFix"] == "yes"),
		"can_update":     knownvalue.Bool(r["CanUpdate"] == true),
		"image_uuid":     wireString(r["Uuid"]),
		"image":          wireString(r["Image"]),
		"image_digest":   wireString(r["ImageDigest"]),
		"repo_name":      wireString(r["RepoName"]),
		"repo_namespace": wireString(r["RepoNamespace"]),
		"layers":         wireStrings(layers),
		"first_seen_at":  wireTime(r["FirstTs"]),
		"last_seen_at":   wireTime(r["LastTs"]),
		"scanned_at":     wireTime(r["ScanTime"]),
		"modified_at":    wireTime(r["ModifyTs"]),
		"os":             wireString(extend["Os"]),
		"os_release":     wireString(extend["OsRelease"]),
		"packages":       knownvalue.ListExact(packages),
		"severity":       knownvalue.Null(),
		"max_cvss_score": knownvalue.Null(),
		"cves":           knownvalue.Null(),
	}
	if withDetails {
		cves := fake.VulnerabilityDetails(fmt.Sprint(r["Name"]))
		var cveChecks []knownvalue.Check
		for _, c := range cves {
			score, ok := wireScore(c["CvssScore"])
			cveChecks = append(cveChecks, knownvalue.ObjectExact(map[string]knownvalue.Check{
				"cve_id": wireString(c["CveId"]), "cvss_score": float64OrNull(score, ok), "cvss_vector": wireString(c["CvssVector"]),
				"level": wireString(c["VulLevel"]), "title": wireString(c["Title"]), "summary": wireString(c["Summary"]),
				"solution": wireString(c["Solution"]), "published_at": wireTime(c["ReleaseTime"]), "reference": wireString(c["Reference"]),
			}))
		}
		checks["cves"] = knownvalue.ListExact(cveChecks)
		checks["severity"] = knownvalue.Null()
		if s := severityOf(cves); s != "" {
			checks["severity"] = knownvalue.StringExact(s)
		}
		checks["max_cvss_score"] = float64OrNull(maxScoreOf(cves))
	}
	return checks
}

func vulAttr(index int, name string) tfjsonpath.Path {
	return tfjsonpath.New("vulnerabilities").AtSliceIndex(index).AtMapKey(name)
}

// pickImage returns the first image of the dataset that pred accepts.
func pickImage(t *testing.T, images []fakesas.Image, pred func(fakesas.Image) bool) fakesas.Image {
	t.Helper()
	for _, img := range images {
		if pred(img) {
			return img
		}
	}
	t.Fatal("no image in the dataset fits the test")
	return nil
}

func scannedWithVulns(lo, hi int64) func(fakesas.Image) bool {
	return func(img fakesas.Image) bool {
		n, _ := wireInt(img["VulCount"])
		return img["ScaStatus"] == "SUCCESS" && n >= lo && n <= hi
	}
}

func TestAccImageVulnerabilities_everyAttributeOfEveryRow(t *testing.T) {
	images := fakesas.GenerateImages(60, 4)
	fake := startFake(t, fakesas.Options{Images: images})
	// At least 14 rows, so every quirk of the wire appears in them.
	image := pickImage(t, images, scannedWithVulns(14, 30))
	rows := fake.VulnerabilityRows(fmt.Sprint(image["Uuid"]))

	var checks []statecheck.StateCheck
	for _, withDetails := range []bool{false, true} {
		addr := "data.sas_image_vulnerabilities.plain"
		if withDetails {
			addr = "data.sas_image_vulnerabilities.details"
		}
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("vulnerabilities"), knownvalue.ListSizeExact(len(rows))))
		for k, r := range rows {
			want := rowChecks(t, fake, r, withDetails)
			if len(want) != len(vulnerabilitiesAttribute().NestedObject.Attributes) {
				t.Fatalf("the test checks %d attributes of a row, the schema has %d: check every attribute", len(want), len(vulnerabilitiesAttribute().NestedObject.Attributes))
			}
			for name, check := range want {
				checks = append(checks, statecheck.ExpectKnownValue(addr, vulAttr(k, name), check))
			}
		}
	}
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + fmt.Sprintf(`
data "sas_image_vulnerabilities" "plain" {
  image_uuids = [%q]
}
data "sas_image_vulnerabilities" "details" {
  image_uuids      = [%q]
  with_cve_details = true
}`, image["Uuid"], image["Uuid"]),
		ConfigStateChecks: checks,
	})
}

// vulCalls counts the fake's requests: reads of the data source (a read
// begins with page 1 of its first batch, whose Uuids start with first, or
// any page 1 when first is ""), list requests, and detail lookups by name.
type vulCalls struct {
	reads, list, details int
	byName               map[string]int
}

func countVulCalls(fake *fakesas.Server, first string) vulCalls {
	c := vulCalls{byName: map[string]int{}}
	for _, r := range fake.Requests() {
		switch r.Action {
		case listAction:
			c.list++
			if r.Query.Get("CurrentPage") == "1" && strings.HasPrefix(r.Query.Get("Uuids"), first) {
				c.reads++
			}
		case detailsAction:
			c.details++
			c.byName[r.Query.Get("Name")]++
		}
	}
	return c
}

// requireVulCallsPerRead asserts exactly listPerRead list requests and one
// lookup of each name per read.
func requireVulCallsPerRead(t *testing.T, fake *fakesas.Server, first string, listPerRead int, names []string) {
	t.Helper()
	c := countVulCalls(fake, first)
	if c.reads == 0 {
		t.Fatal("the fake saw no read")
	}
	if c.list != c.reads*listPerRead {
		t.Errorf("%d %s requests over %d reads, want exactly %d per read", c.list, listAction, c.reads, listPerRead)
	}
	if c.details != c.reads*len(names) {
		t.Errorf("%d %s requests over %d reads, want exactly %d per read (one per distinct name)", c.details, detailsAction, c.reads, len(names))
	}
	for _, n := range names {
		if c.byName[n] != c.reads {
			t.Errorf("%s looked up %d times over %d reads, want once per read", n, c.byName[n], c.reads)
		}
	}
}

// rowsOf concatenates the wire rows of images, in dataset order.
func rowsOf(fake *fakesas.Server, images []fakesas.Image) []fakesas.Record {
	var rows []fakesas.Record
	for _, img := range images {
		rows = append(rows, fake.VulnerabilityRows(fmt.Sprint(img["Uuid"]))...)
	}
	return rows
}

func distinctNames(rows []fakesas.Record) []string {
	var names []string
	for _, r := range rows {
		if n := fmt.Sprint(r["Name"]); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

func hclStrings(values []string) string {
	quotedValues := make([]string, len(values))
	for k, v := range values {
		quotedValues[k] = hcl(v)
	}
	return "[" + strings.Join(quotedValues, ", ") + "]"
}

func imageUUIDs(images []fakesas.Image) []string {
	out := make([]string, len(images))
	for k, img := range images {
		out[k] = fmt.Sprint(img["Uuid"])
	}
	return out
}

// expectedSummary counts the rows as the documentation defines each count.
func expectedSummary(fake *fakesas.Server, rows []fakesas.Record, withDetails bool) map[string]knownvalue.Check {
	counts := map[string]int64{}
	images := map[any]bool{}
	levels := map[string]int64{}
	var unknown int64
	best, anyScore := math.Inf(-1), false
	for _, r := range rows {
		images[r["Uuid"]] = true
		necessity := fmt.Sprint(r["Necessity"])
		counts[necessity]++
		if r["CanFix"] == "yes" {
			counts["fixable"]++
			if necessity == "asap" {
				counts["asap_fixable"]++
			}
		}
		if status, _ := wireInt(r["Status"]); status == 1 {
			counts["unfixed"]++
		}
		cves := fake.VulnerabilityDetails(fmt.Sprint(r["Name"]))
		if s := severityOf(cves); s != "" {
			levels[s]++
		} else {
			unknown++
		}
		if s, ok := maxScoreOf(cves); ok {
			best, anyScore = max(best, s), true
		}
	}
	want := map[string]knownvalue.Check{
		"vulnerabilities": knownvalue.Int64Exact(int64(len(rows))),
		"images":          knownvalue.Int64Exact(int64(len(images))),
	}
	for _, name := range []string{"asap", "later", "nntf", "fixable", "asap_fixable", "unfixed"} {
		want[name] = knownvalue.Int64Exact(counts[name])
	}
	for _, level := range []string{"serious", "high", "medium", "low", "unknown_severity", "max_cvss_score"} {
		want[level] = knownvalue.Null()
	}
	if withDetails {
		for _, level := range []string{"serious", "high", "medium", "low"} {
			want[level] = knownvalue.Int64Exact(levels[level])
		}
		want["unknown_severity"] = knownvalue.Int64Exact(unknown)
		want["max_cvss_score"] = float64OrNull(best, anyScore)
	}
	return want
}

func TestAccImageVulnerabilities_summaryCountsEveryRowAsDefined(t *testing.T) {
	images := fakesas.GenerateImages(120, 9)
	fake := startFake(t, fakesas.Options{Images: images})
	// A repository where every count has its own value, so that a count
	// computed like another one cannot pass.
	var repo string
	var rows []fakesas.Record
	for _, img := range images {
		repo = fmt.Sprint(img["RepoName"])
		var inRepo []fakesas.Image
		for _, other := range images {
			if other["RepoName"] == repo {
				inRepo = append(inRepo, other)
			}
		}
		rows = rowsOf(fake, inRepo)
		if allDistinctAndNonZero(expectedSummary(fake, rows, true)) {
			break
		}
		rows = nil
	}
	if rows == nil {
		t.Fatal("no repository of the dataset tells every count apart")
	}
	var checks []statecheck.StateCheck
	for addr, withDetails := range map[string]bool{"data.sas_image_vulnerabilities.plain": false, "data.sas_image_vulnerabilities.details": true} {
		for name, check := range expectedSummary(fake, rows, withDetails) {
			checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("summary").AtMapKey(name), check))
		}
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(len(rows)))),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("vulnerabilities"), knownvalue.ListSizeExact(len(rows))))
	}
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + fmt.Sprintf(`
data "sas_image_vulnerabilities" "plain" {
  repo_name = %q
}
data "sas_image_vulnerabilities" "details" {
  repo_name        = %q
  with_cve_details = true
}`, repo, repo),
		ConfigStateChecks: checks,
	})
}

func allDistinctAndNonZero(checks map[string]knownvalue.Check) bool {
	seen := map[string]bool{}
	for _, c := range checks {
		v := fmt.Sprint(c)
		if v == "0" || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

// rowsChecks checks the identity, status and priority of each row, in order.
func rowsChecks(rows []fakesas.Record) knownvalue.Check {
	checks := make([]knownvalue.Check, len(rows))
	for k, r := range rows {
		status, _ := wireInt(r["Status"])
		checks[k] = knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"image_uuid": wireString(r["Uuid"]), "name": wireString(r["Name"]),
			"status": knownvalue.StringExact(wireStatuses[status]), "necessity": wireString(r["Necessity"]),
		})
	}
	return knownvalue.ListExact(checks)
}

func TestAccImageVulnerabilities_statusesAndNecessities(t *testing.T) {
	images := fakesas.GenerateImages(80, 21)
	fake := startFake(t, fakesas.Options{Images: images})
	// A repository with rows of every status and every priority.
	var repo string
	var all []fakesas.Record
	for _, img := range images {
		repo = fmt.Sprint(img["RepoName"])
		var inRepo []fakesas.Image
		for _, other := range images {
			if other["RepoName"] == repo {
				inRepo = append(inRepo, other)
			}
		}
		all = rowsOf(fake, inRepo)
		seen := map[string]bool{}
		for _, r := range all {
			status, _ := wireInt(r["Status"])
			seen[wireStatuses[status]], seen[fmt.Sprint(r["Necessity"])] = true, true
		}
		if len(seen) == 6 {
			break
		}
		all = nil
	}
	if all == nil {
		t.Fatal("no repository has rows of every status and priority")
	}
	where := func(pred func(status int64, necessity string) bool) []fakesas.Record {
		var out []fakesas.Record
		for _, r := range all {
			status, _ := wireInt(r["Status"])
			if pred(status, fmt.Sprint(r["Necessity"])) {
				out = append(out, r)
			}
		}
		return out
	}
	cases := []struct {
		args       string
		want       []fakesas.Record
		sent       map[string]string // "" means not sent
		maxResults int
	}{
		{"", all, map[string]string{"StatusList": "", "Necessity": ""}, 0},
		{`statuses = ["unfixed"]`, where(func(s int64, _ string) bool { return s == 1 }), map[string]string{"StatusList": "1"}, 0},
		{`statuses = ["fixing"]`, where(func(s int64, _ string) bool { return s == 4 }), map[string]string{"StatusList": "4"}, 0},
		{`statuses = ["fixed"]`, where(func(s int64, _ string) bool { return s == 7 }), map[string]string{"StatusList": "7"}, 0},
		{`statuses = ["unfixed", "fixing"]`, where(func(s int64, _ string) bool { return s != 7 }), map[string]string{"StatusList": ""}, 0},
		{`necessities = ["asap"]`, where(func(_ int64, n string) bool { return n == "asap" }), map[string]string{"Necessity": "asap"}, 0},
		{`necessities = ["later"]`, where(func(_ int64, n string) bool { return n == "later" }), map[string]string{"Necessity": "later"}, 0},
		{`necessities = ["nntf"]`, where(func(_ int64, n string) bool { return n == "nntf" }), map[string]string{"Necessity": "nntf"}, 0},
		{`necessities = ["asap", "nntf"]` + "\n" + `statuses = ["fixed", "unfixed"]`,
			where(func(s int64, n string) bool { return n != "later" && s != 4 }), map[string]string{"StatusList": "", "Necessity": ""}, 0},
		{`necessities = ["later", "nntf"]` + "\n" + `max_results = 3`,
			where(func(_ int64, n string) bool { return n != "asap" })[:3], map[string]string{"Necessity": ""}, 3},
	}
	config := providerConfig(fake)
	var checks []statecheck.StateCheck
	for k, tc := range cases {
		if len(tc.want) == 0 {
			t.Fatalf("case %q selects no row: the test would prove nothing", tc.args)
		}
		// The page size tells the requests of each data source apart.
		config += fmt.Sprintf("data \"sas_image_vulnerabilities\" \"c%d\" {\n  repo_name = %q\n  page_size = %d\n  %s\n}\n", k, repo, 90+k, tc.args)
		addr := fmt.Sprintf("data.sas_image_vulnerabilities.c%d", k)
		total := len(tc.want)
		if strings.Contains(tc.args, ",") { // several values: the service is not asked to filter
			total = len(all)
		}
		checks = append(checks,
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("vulnerabilities"), rowsChecks(tc.want)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(total))))
	}
	accTest(t, resource.TestStep{Config: config, ConfigStateChecks: checks})

	for k, tc := range cases {
		asked := 0
		for _, r := range fake.Requests() {
			if r.Query.Get("PageSize") != strconv.Itoa(90+k) {
				continue
			}
			asked++
			for param, want := range tc.sent {
				if got := r.Query.Get(param); got != want || (want == "" && r.Query.Has(param)) {
					t.Errorf("%q: sent %s=%q, want %q", tc.args, param, got, want)
				}
			}
		}
		if asked == 0 {
			t.Errorf("%q: no request seen", tc.args)
		}
	}
}

// scannedImages builds n scanned images with VulCount 1 + k%5.
func scannedImages(n int) []fakesas.Image {
	out := make([]fakesas.Image, n)
	for k := range out {
		out[k] = img(fmt.Sprintf("00000000-0000-4000-8000-%012d", k), fmt.Sprintf("repo-%d", k%6), "1.0",
			fakesas.Image{"VulCount": 1 + k%5, "Digest": fmt.Sprintf("%064x", k)})
	}
	return out
}

// The image_uuids are sent 100 at a time, each batch paged with the fewest
// requests, and total_count sums the batches.
func TestAccImageVulnerabilities_imageUUIDsInBatches(t *testing.T) {
	images := scannedImages(260)
	uuids := imageUUIDs(images)
	cases := []struct {
		name    string
		uuids   []string
		batches [][]string
	}{
		{"one uuid", uuids[:1], [][]string{uuids[:1]}},
		{"exactly one full batch", uuids[:100], [][]string{uuids[:100]}},
		{"several batches", uuids[:250], [][]string{uuids[:100], uuids[100:200], uuids[200:250]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: images, MaxPageSize: 40})
			var rows []fakesas.Record
			perRead := 0
			for _, batch := range tc.batches {
				var inBatch []fakesas.Record
				for _, u := range batch {
					inBatch = append(inBatch, fake.VulnerabilityRows(u)...)
				}
				rows = append(rows, inBatch...)
				perRead += max(1, (len(inBatch)+39)/40) // the fake serves 40 rows of the 100 asked
			}
			accTest(t, resource.TestStep{
				Config: providerConfig(fake) + fmt.Sprintf("data \"sas_image_vulnerabilities\" \"test\" {\n  image_uuids = %s\n}\n", hclStrings(tc.uuids)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sas_image_vulnerabilities.test", tfjsonpath.New("vulnerabilities"), rowsChecks(rows)),
					statecheck.ExpectKnownValue("data.sas_image_vulnerabilities.test", tfjsonpath.New("total_count"), knownvalue.Int64Exact(int64(len(rows)))),
					statecheck.ExpectKnownValue("data.sas_image_vulnerabilities.test", tfjsonpath.New("summary").AtMapKey("images"), knownvalue.Int64Exact(int64(len(tc.uuids)))),
				},
			})
			requireVulCallsPerRead(t, fake, tc.uuids[0], perRead, nil)
			sent := map[string]int{}
			for _, r := range fake.Requests() {
				if r.Query.Get("CurrentPage") == "1" {
					sent[r.Query.Get("Uuids")]++
				}
			}
			reads := countVulCalls(fake, tc.uuids[0]).reads
			for _, batch := range tc.batches {
				if n := sent[strings.Join(batch, ",")]; n != reads {
					t.Errorf("the batch of %d uuids starting %s was sent %d times over %d reads", len(batch), batch[0], n, reads)
				}
			}
		})
	}
}

// with_cve_details looks each distinct name of the result up once per read.
func TestAccImageVulnerabilities_detailsOncePerDistinctName(t *testing.T) {
	images := scannedImages(30)
	fake := startFake(t, fakesas.Options{Images: images})
	rows := rowsOf(fake, images)
	names := distinctNames(rows)
	if len(names) >= len(rows) {
		t.Fatalf("%d names for %d rows: the test needs names shared by several rows", len(names), len(rows))
	}
	accTest(t, resource.TestStep{
		Config: providerConfig(fake, "max_concurrency = 3") + fmt.Sprintf(`
data "sas_image_vulnerabilities" "test" {
  image_uuids      = %s
  with_cve_details = true
}`, hclStrings(imageUUIDs(images))),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.sas_image_vulnerabilities.test", tfjsonpath.New("vulnerabilities"), knownvalue.ListSizeExact(len(rows))),
		},
	})
	requireVulCallsPerRead(t, fake, fmt.Sprint(images[0]["Uuid"]), (len(rows)+99)/100, names)
}

func TestAccImageVulnerabilities_digestIsSentBare(t *testing.T) {
	images := scannedImages(5)
	fake := startFake(t, fakesas.Options{Images: images})
	digest := fmt.Sprint(images[2]["Digest"])
	rows := fake.VulnerabilityRows(fmt.Sprint(images[2]["Uuid"]))
	var checks []statecheck.StateCheck
	for _, name := range []string{"bare", "prefixed", "upper"} {
		checks = append(checks, statecheck.ExpectKnownValue("data.sas_image_vulnerabilities."+name, tfjsonpath.New("vulnerabilities"), rowsChecks(rows)))
	}
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + fmt.Sprintf(`
data "sas_image_vulnerabilities" "bare" {
  digest = %q
}
data "sas_image_vulnerabilities" "prefixed" {
  digest = "sha256:%s"
}
data "sas_image_vulnerabilities" "upper" {
  digest = "SHA256:%s"
}`, digest, digest, strings.ToUpper(digest)),
		ConfigStateChecks: checks,
	})
	for _, r := range fake.Requests() {
		if got := r.Query.Get("Digest"); got != digest {
			t.Fatalf("sent Digest %q, want the bare %q", got, digest)
		}
	}
}

// An image that was never scanned has no rows: the result says nothing
// about its safety, which is why gates also check the scan state.
func TestAccImageVulnerabilities_unscannedImageHasNoRows(t *testing.T) {
	unscanned := img("u-unscanned", "app", "1.0", fakesas.Image{"ScaStatus": "INIT", "LastScanTime": int64(0), "VulCount": 0})
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{unscanned}})
	addr := "data.sas_image_vulnerabilities.test"
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + `data "sas_image_vulnerabilities" "test" { image_uuids = ["u-unscanned"] }`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("vulnerabilities"), knownvalue.ListSizeExact(0)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("total_count"), knownvalue.Int64Exact(0)),
			statecheck.ExpectKnownValue(addr, tfjsonpath.New("summary").AtMapKey("images"), knownvalue.Int64Exact(0)),
		},
	})
}

// Bad arguments fail the plan, naming the attribute, before any request.
func TestAccImageVulnerabilities_badArgumentsFailAtPlanTime(t *testing.T) {
	cases := []struct {
		name, args string
		err        []string
	}{
		{"no scope", `name = "debian:10:CVE-2019-9893"`,
			[]string{"Missing image scope", "set at least one of image_uuids, digest, repo_name, repo_namespace, repo_id, repo_instance_id, repo_region_id"}},
		{"unknown necessity", `repo_name = "app"` + "\n" + `necessities = ["asap", "urgent"]`,
			[]string{"necessities", `value must be one of: ["asap" "later" "nntf"]`, `"urgent"`}},
		{"unknown status", `repo_name = "app"` + "\n" + `statuses = ["open"]`,
			[]string{"statuses", `value must be one of: ["unfixed" "fixing" "fixed"]`, `"open"`}},
		{"empty uuid", `image_uuids = ["u-1", ""]`, []string{"image_uuids[1]", "must be an image uuid, without commas or spaces"}},
		{"uuid with a comma", `image_uuids = ["u-1,u-2"]`, []string{"image_uuids[0]", "must be an image uuid, without commas or spaces"}},
		{"no uuid", `image_uuids = []`, []string{"image_uuids", "list must contain at least 1 elements"}},
		{"empty necessities", `repo_name = "app"` + "\n" + `necessities = []`, []string{"necessities", "set must contain at least 1 elements"}},
		{"short digest", `digest = "sha256:abc"`, []string{"digest", "must be a sha256 image digest: 64 hex digits"}},
		{"empty repository", `repo_name = ""`, []string{"repo_name", "length must be at least 1"}},
		{"page size", `repo_name = "app"` + "\n" + `page_size = 101`, []string{"page_size", "value must be between 1 and 100"}},
		{"max results", `repo_name = "app"` + "\n" + `max_results = 0`, []string{"max_results", "value must be at least 1"}},
		{"language", `repo_name = "app"` + "\n" + `lang = "fr"`, []string{"lang", `value must be one of: ["en" "zh"]`}},
	}
	fake := startFake(t, fakesas.Options{Images: scannedImages(2)})
	var steps []resource.TestStep
	for _, tc := range cases {
		steps = append(steps, resource.TestStep{
			Config:      providerConfig(fake) + "data \"sas_image_vulnerabilities\" \"test\" {\n" + tc.args + "\n}\n",
			PlanOnly:    true,
			ExpectError: errorMatching(tc.err...),
		})
	}
	accTest(t, steps...)
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests reached the API", n)
	}
}

// A scope known only during apply is not a missing scope.
func TestAccImageVulnerabilities_scopeUnknownUntilApply(t *testing.T) {
	images := scannedImages(3)
	fake := startFake(t, fakesas.Options{Images: images})
	accTest(t, resource.TestStep{
		Config: providerConfig(fake) + fmt.Sprintf(`
resource "terraform_data" "build" {
  input = %q
}
data "sas_image_vulnerabilities" "test" {
  image_uuids = [terraform_data.build.output]
}`, images[1]["Uuid"]),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.sas_image_vulnerabilities.test", tfjsonpath.New("vulnerabilities"),
				rowsChecks(fake.VulnerabilityRows(fmt.Sprint(images[1]["Uuid"])))),
		},
	})
}

// The service's errors reach the user through the provider's one error
// path: code, message and request id, and the RAM action to grant.
func TestAccImageVulnerabilities_serviceErrors(t *testing.T) {
	cases := []struct {
		name  string
		fault fakesas.Fault
		args  string
		err   []string
	}{
		{"listing denied", fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: listAction}, "",
			[]string{"Reading Security Center image vulnerabilities: NoPermission", "HTTP status: 403", "Request id:", "yundun-sas:DescribeImageVulList"}},
		{"details denied", fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: detailsAction}, "with_cve_details = true",
			[]string{"Reading Security Center vulnerability details: NoPermission", "Request id:", "yundun-sas:DescribeVulDetails"}},
		// One failing page or lookup fails the read: a partial result is
		// never stored as if complete.
		{"a later page fails", fakesas.Fault{Kind: fakesas.FaultServerError, Action: listAction, Count: 1000, Rate: 0.5}, "page_size = 10",
			[]string{"Reading Security Center image vulnerabilities: ServerError"}},
		{"one lookup fails", fakesas.Fault{Kind: fakesas.FaultServerError, Action: detailsAction, Count: 1000, Rate: 0.3}, "with_cve_details = true",
			[]string{"Reading Security Center vulnerability details: ServerError"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			images := scannedImages(12)
			fake := startFake(t, fakesas.Options{Images: images, Seed: 3})
			fake.SetFaults(tc.fault)
			accTest(t, resource.TestStep{
				Config:      providerConfig(fake, "max_retries = 0") + fmt.Sprintf("data \"sas_image_vulnerabilities\" \"test\" {\n  image_uuids = %s\n  %s\n}\n", hclStrings(imageUUIDs(images)), tc.args),
				ExpectError: errorMatching(tc.err...),
			})
		})
	}
}
