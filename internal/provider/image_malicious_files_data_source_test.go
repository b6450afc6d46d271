package provider

import (
	"fmt"
	"maps"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

const maliciousAddr = "data.sas_image_malicious_files.test"

// twinUUID is a second image record of the demo's vulnerable release: the
// same digest in another repository, so the same malicious files.
const twinUUID = "u-payments-mirror"

// startMalwareFake serves the demo images and the twin, with the service's
// pages capped at 3 rows so that listings cross pages.
func startMalwareFake(t *testing.T) (*fakesas.Server, fakesas.Image, fakesas.Image) {
	t.Helper()
	images := fakesas.DemoImages(time.Now())
	var vulnerable fakesas.Image
	for _, image := range images {
		if image["Uuid"] == fakesas.DemoUUIDPaymentsVulnerable {
			vulnerable = image
		}
	}
	twin := img(twinUUID, "payments-api-mirror", "1.4.2-mirror",
		fakesas.Image{"Digest": vulnerable["Digest"], "RegionId": "cn-shanghai", "InstanceId": "cri-mirror0001", "RepoId": "crr-mirror0001"})
	fake := startFake(t, fakesas.Options{Images: append(images, twin), MaxPageSize: 3})
	if len(fake.MaliciousFiles(fakesas.DemoUUIDPaymentsVulnerable)) != 2 || len(fake.MaliciousFiles(twinUUID)) != 2 {
		t.Fatal("the demo's vulnerable release and its twin must hold the two demo malicious files")
	}
	return fake, vulnerable, twin
}

func maliciousConfig(fake *fakesas.Server, args string) string {
	return providerConfig(fake) + "data \"sas_image_malicious_files\" \"test\" {\n" + args + "\n}\n"
}

// The documented words of each status code, written out independently of
// the provider's table.
var wantMaliciousStatus = map[int]string{0: "unhandled", 1: "handled", 2: "verifying", 3: "whitelisted"}

// malwareRow is one expected file: the image and its file.
type malwareRow struct {
	image fakesas.Image
	file  fakesas.MaliciousFile
}

// malwareRows are the files of the images, in the order served, that keep
// holds for.
func malwareRows(fake *fakesas.Server, images []fakesas.Image, keep func(fakesas.MaliciousFile) bool) []malwareRow {
	var out []malwareRow
	for _, image := range images {
		for _, f := range fake.MaliciousFiles(fmt.Sprint(image["Uuid"])) {
			if keep(f) {
				out = append(out, malwareRow{image, f})
			}
		}
	}
	return out
}

// expectMaliciousFiles is the exact value of `malicious_files`, names in
// lang from the fake's samples.
func expectMaliciousFiles(rows []malwareRow, lang string) knownvalue.Check {
	list := []knownvalue.Check{}
	for _, r := range rows {
		list = append(list, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"image_uuid":     knownvalue.StringExact(fmt.Sprint(r.image["Uuid"])),
			"digest":         knownvalue.StringExact(fmt.Sprint(r.image["Digest"])),
			"tag":            knownvalue.StringExact(fmt.Sprint(r.image["Tag"])),
			"repo_name":      knownvalue.StringExact(fmt.Sprint(r.image["RepoName"])),
			"repo_namespace": knownvalue.StringExact(fmt.Sprint(r.image["RepoNamespace"])),
			"instance_id":    knownvalue.StringExact(fmt.Sprint(r.image["InstanceId"])),
			"region_id":      knownvalue.StringExact(fmt.Sprint(r.image["RegionId"])),
			"layer":          knownvalue.StringExact(r.file.Layer),
			"path":           knownvalue.StringExact(r.file.FilePath),
			"md5":            knownvalue.StringExact(r.file.Sample.MD5),
			"name":           knownvalue.StringExact(r.file.Sample.Name.In(lang)),
			"level":          knownvalue.StringExact(r.file.Sample.Level),
			"status":         knownvalue.StringExact(wantMaliciousStatus[r.file.Status]),
			"first_found_at": knownvalue.StringExact(rfc3339(r.file.FirstScanTimestamp)),
			"last_found_at":  knownvalue.StringExact(rfc3339(r.file.LatestScanTimestamp)),
		}))
	}
	return knownvalue.ListExact(list)
}

// expectMaliciousSummary is the exact value of `summary`, counted from the
// rows as the documentation defines each count.
func expectMaliciousSummary(rows []malwareRow) knownvalue.Check {
	counts := map[string]int64{"files": int64(len(rows)), "images": 0, "serious": 0, "suspicious": 0, "remind": 0, "unhandled": 0}
	images := map[string]bool{}
	for _, r := range rows {
		images[fmt.Sprint(r.image["Uuid"])] = true
		counts[r.file.Sample.Level]++
		if r.file.Status != fakesas.MaliciousStatusHandled && r.file.Status != fakesas.MaliciousStatusWhitelisted {
			counts["unhandled"]++
		}
	}
	counts["images"] = int64(len(images))
	checks := map[string]knownvalue.Check{}
	for name, n := range counts {
		checks[name] = knownvalue.Int64Exact(n)
	}
	return knownvalue.ObjectExact(checks)
}

// requireMalwareCallsPerRead checks every read listed the files and the
// samples once each, in exactly the pages they need, and returns the
// requests of each.
func requireMalwareCallsPerRead(t *testing.T, fake *fakesas.Server, filePages, samplePages int) (files, samples []url.Values) {
	t.Helper()
	reads := 0
	for _, r := range fake.Requests() {
		switch r.Action {
		case sasapi.ActionDescribeAffectedMaliciousFileImages:
			files = append(files, r.Query)
			if r.Query.Get("CurrentPage") == "1" {
				reads++
			}
		case sasapi.ActionDescribeGroupedMaliciousFiles:
			samples = append(samples, r.Query)
		default:
			t.Fatalf("unexpected %s request", r.Action)
		}
	}
	if reads == 0 {
		t.Fatal("the fake saw no read")
	}
	if len(files) != reads*filePages || len(samples) != reads*samplePages {
		t.Fatalf("%d reads made %d file and %d sample requests; want %d and %d per read", reads, len(files), len(samples), filePages, samplePages)
	}
	for _, q := range append(append([]url.Values{}, files...), samples...) {
		if q.Get("ScanRange.1") != "image" || q.Has("ScanRange") || q.Get("PageSize") == "" {
			t.Fatalf("request %v: want ScanRange.1=image alone and a PageSize", q)
		}
	}
	return files, samples
}

// Every attribute of every file, named from the grouped listing joined on
// the MD5, through pages of 3 rows: the files of a digest held by two
// image records, and image_uuid keeping one record's; the filters as
// sent; exactly the pages needed per read, one grouped listing for all
// the names.
func TestAccImageMaliciousFiles_everyAttributeTheNameJoinAndExactCalls(t *testing.T) {
	fake, vulnerable, twin := startMalwareFake(t)
	digest := fmt.Sprint(vulnerable["Digest"])
	both := []fakesas.Image{vulnerable, twin}
	all := func(fakesas.MaliciousFile) bool { return true }
	ofLevel := func(level string) func(fakesas.MaliciousFile) bool {
		return func(f fakesas.MaliciousFile) bool { return f.Sample.Level == level }
	}
	scope := "digest = " + hcl("SHA256:"+strings.ToUpper(digest)) + "\n"
	cases := []struct {
		name, args  string
		images      []fakesas.Image
		keep        func(fakesas.MaliciousFile) bool
		lang        string
		query       map[string]string // parameters sent, "" for one not sent
		samplePages int
	}{
		{"a digest of two image records", scope, both, all, "en",
			map[string]string{"ImageDigest": digest, "Lang": "en", "Levels": "", "MaliciousMd5": ""}, 1},
		{"one image record of the two", scope + "image_uuid = " + hcl(fakesas.DemoUUIDPaymentsVulnerable), both[:1], all, "en",
			map[string]string{"ImageDigest": digest}, 1},
		{"the other", scope + "image_uuid = " + hcl(twinUUID), both[1:], all, "en", map[string]string{"ImageDigest": digest}, 1},
		{"levels, sent by severity", scope + `levels = ["suspicious", "serious"]`, both, all, "en",
			map[string]string{"Levels": "serious,suspicious"}, 1},
		{"one level", scope + `levels = ["suspicious"]`, both, ofLevel("suspicious"), "en", map[string]string{"Levels": "suspicious"}, 1},
		{"an MD5 in capitals, sent in lower case", scope + "md5 = " + hcl(strings.ToUpper(fakesas.DemoMinerMD5)), both,
			func(f fakesas.MaliciousFile) bool { return f.Sample.MD5 == fakesas.DemoMinerMD5 }, "en", map[string]string{"MaliciousMd5": fakesas.DemoMinerMD5}, 1},
		{"in Chinese", scope + `lang = "zh"`, both, all, "zh", map[string]string{"Lang": "zh"}, 1},
		{"a repository scope", `repo_name = "payments-api-mirror"` + "\n" + `repo_region_id = "cn-shanghai"`, both[1:], all, "en",
			map[string]string{"RepoName": "payments-api-mirror", "RepoRegionId": "cn-shanghai", "ImageDigest": ""}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetCounters()
			rows := malwareRows(fake, tc.images, tc.keep)
			accTest(t, resource.TestStep{
				Config: maliciousConfig(fake, tc.args),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(maliciousAddr, tfjsonpath.New("malicious_files"), expectMaliciousFiles(rows, tc.lang)),
					statecheck.ExpectKnownValue(maliciousAddr, tfjsonpath.New("summary"), expectMaliciousSummary(rows)),
				},
			})
			// image_uuid filters here: the service lists every record of
			// the scope, in pages of 3.
			served := len(malwareRows(fake, both, tc.keep))
			if strings.Contains(tc.args, "repo_name") {
				served = len(rows)
			}
			files, samples := requireMalwareCallsPerRead(t, fake, pagesOf(served, 3), tc.samplePages)
			for _, q := range append(files, samples...) {
				for name, want := range tc.query {
					if q.Get(name) != want || q.Has(name) != (want != "") {
						t.Fatalf("request %v: want %s=%q", q, name, want)
					}
				}
			}
		})
	}
}

// Invalid arguments fail at plan time, naming the attribute, and the fake
// sees no request at all.
func TestAccImageMaliciousFiles_invalidArgumentsFailAtPlanWithoutRequests(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(time.Now())})
	digest := "digest = " + hcl(sha256Hex("x")) + "\n"
	cases := []struct {
		name, args string
		want       []string
	}{
		{"no scope", `levels = ["serious"]`, []string{"Missing image scope", "sas_image_malicious_files needs to know which images to look at",
			"digest, repo_name, repo_namespace, repo_instance_id, repo_region_id, image_tag"}},
		{"image_uuid is no scope", `image_uuid = "u-1"`, []string{"Missing image scope"}},
		{"short digest", `digest = "sha256:abc123"`, []string{"Invalid image digest", `digest = "sha256:abc123"`, "must be a sha256 image digest"}},
		{"digest of another algorithm", `digest = "sha512:` + sha256Hex("x") + `"`, []string{"Invalid image digest", `digest = "sha512:`, "must be a sha256 image digest"}},
		{"short md5", digest + `md5 = "abc"`, []string{"Attribute md5 must be an MD5: 32 hexadecimal digits"}},
		{"md5 not hex", digest + `md5 = "` + strings.Repeat("z", 32) + `"`, []string{"Attribute md5 must be an MD5"}},
		{"unknown level", digest + `levels = ["critical"]`, []string{"Attribute levels", `value must be one of: ["serious" "suspicious" "remind"]`}},
		{"a secret's level", digest + `levels = ["high"]`, []string{"Attribute levels", "value must be one of"}},
		{"no level", digest + `levels = []`, []string{"Attribute levels set must contain at least 1 elements"}},
		{"empty repo_name", `repo_name = ""`, []string{"Attribute repo_name string length must be at least 1"}},
		{"image_uuid with a comma", digest + `image_uuid = "u-1,u-2"`, []string{"Attribute image_uuid must be an image uuid"}},
		{"unknown language", digest + `lang = "fr"`, []string{"Attribute lang", `value must be one of: ["en" "zh"]`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			accTest(t, resource.TestStep{Config: maliciousConfig(fake, tc.args), PlanOnly: true, ExpectError: errorMatching(tc.want...)})
		})
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("the fake saw %d requests, want none", n)
	}
}

// The link to download each malware sample, which the fake always sends,
// is nowhere in the state: not an attribute, not part of any value.
func TestAccImageMaliciousFiles_downloadLinkNeverInState(t *testing.T) {
	fake, vulnerable, _ := startMalwareFake(t)
	var links []string
	for _, uuid := range []string{fakesas.DemoUUIDPaymentsVulnerable, twinUUID} {
		for _, f := range fake.MaliciousFiles(uuid) {
			if f.DownloadURL == "" {
				t.Fatal("a file without a download link: the test proves nothing")
			}
			links = append(links, f.DownloadURL)
		}
	}
	accTest(t, resource.TestStep{
		Config: maliciousConfig(fake, "digest = "+hcl(fmt.Sprint(vulnerable["Digest"]))),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(maliciousAddr, tfjsonpath.New("malicious_files"), knownvalue.ListSizeExact(4)),
			stateLacks(append(links, "aegis-metadata-file", "OSSAccessKeyId", "Signature=")...),
		},
	})
}

// Each count on files on either side of its condition; a file adds to no
// count but `files` and `images` unless the case says so.
func TestMaliciousSummary_eachCountOnBothSidesOfItsCondition(t *testing.T) {
	row := func(level, status string) maliciousFileModel {
		s := types.StringNull()
		if status != "" {
			s = types.StringValue(status)
		}
		return maliciousFileModel{ImageUUID: types.StringValue("u-1"), Level: types.StringValue(level), Status: s}
	}
	cases := []struct {
		name string
		rows []maliciousFileModel
		adds map[string]int64
	}{
		{"serious, unhandled", []maliciousFileModel{row("serious", "unhandled")}, map[string]int64{"serious": 1, "unhandled": 1}},
		{"serious, handled", []maliciousFileModel{row("serious", "handled")}, map[string]int64{"serious": 1}},
		{"serious, whitelisted", []maliciousFileModel{row("serious", "whitelisted")}, map[string]int64{"serious": 1}},
		{"serious, verifying", []maliciousFileModel{row("serious", "verifying")}, map[string]int64{"serious": 1, "unhandled": 1}},
		{"serious, undocumented status", []maliciousFileModel{row("serious", "7")}, map[string]int64{"serious": 1, "unhandled": 1}},
		{"serious, status unknown", []maliciousFileModel{row("serious", "")}, map[string]int64{"serious": 1, "unhandled": 1}},
		{"suspicious, handled", []maliciousFileModel{row("suspicious", "handled")}, map[string]int64{"suspicious": 1}},
		{"remind, unhandled", []maliciousFileModel{row("remind", "unhandled")}, map[string]int64{"remind": 1, "unhandled": 1}},
		{"an undocumented level, handled", []maliciousFileModel{row("critical", "handled")}, nil},
		{"two files of one image", []maliciousFileModel{row("remind", "handled"), row("remind", "handled")}, map[string]int64{"files": 2, "remind": 2}},
		{"files of two images", []maliciousFileModel{row("remind", "handled"), {ImageUUID: types.StringValue("u-2"), Level: types.StringValue("remind"),
			Status: types.StringValue("handled")}}, map[string]int64{"files": 2, "images": 2, "remind": 2}},
		{"a file of no known image", []maliciousFileModel{{ImageUUID: types.StringNull(), Level: types.StringValue("remind"), Status: types.StringValue("handled")}},
			map[string]int64{"images": 0, "remind": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]int64{"files": 1, "images": 1, "serious": 0, "suspicious": 0, "remind": 0, "unhandled": 0}
			maps.Copy(want, tc.adds)
			if got := summaryInts(t, maliciousSummary.of(tc.rows, nil)); !maps.Equal(got, want) {
				t.Errorf("summary = %v, want %v", got, want)
			}
		})
	}
}

// Each file is named by its MD5, in whatever case either listing sends
// it, whatever the order of the samples; a file whose sample the grouped
// listing lacks has a null name. Statuses become their documented words,
// an undocumented code its number; fields not sent are null.
func TestFlattenMaliciousFiles(t *testing.T) {
	s := func(v string) sasapi.String { return sasapi.String{Value: v, Valid: true} }
	files := []sasapi.MaliciousFile{
		{MaliciousMd5: s("AAAA"), Status: sasapi.Int{Value: 2, Valid: true}, Level: s("Serious")},
		{MaliciousMd5: s("bbbb"), Status: sasapi.Int{Value: 9, Valid: true}},
		{MaliciousMd5: s("cccc"), Status: sasapi.Int{Value: 1, Valid: true}},
		{},
	}
	names := map[string]sasapi.String{"bbbb": s("Backdoor"), "aaaa": s("Miner")}
	out := flattenMaliciousFiles(files, names)
	for k, want := range []struct{ md5, name, status, level string }{
		{"aaaa", "Miner", "verifying", "serious"}, {"bbbb", "Backdoor", "9", ""}, {"cccc", "", "handled", ""}, {"", "", "", ""},
	} {
		got := out[k]
		if got.MD5.ValueString() != want.md5 || got.Name.ValueString() != want.name || got.Status.ValueString() != want.status ||
			got.Level.ValueString() != want.level || got.Name.IsNull() != (want.name == "") {
			t.Errorf("file %d: md5 %v, name %v, status %v, level %v; want %+v", k, got.MD5, got.Name, got.Status, got.Level, want)
		}
	}
	last := out[3]
	for name, v := range map[string]interface{ IsNull() bool }{
		"image_uuid": last.ImageUUID, "digest": last.Digest, "tag": last.Tag, "repo_name": last.RepoName, "repo_namespace": last.RepoNamespace,
		"instance_id": last.InstanceID, "region_id": last.RegionID, "layer": last.Layer, "path": last.Path, "md5": last.MD5,
		"level": last.Level, "status": last.Status, "first_found_at": last.FirstFoundAt, "last_found_at": last.LastFoundAt,
	} {
		if !v.IsNull() {
			t.Errorf("%s not sent, read as %v", name, v)
		}
	}
}
