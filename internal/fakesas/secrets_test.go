package fakesas

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// maskedPrompt is how Promt must look: a short prefix, then asterisks.
var maskedPrompt = regexp.MustCompile(`^[^*]{1,8}\*{12}$`)

// secretsImages is a dataset holding every kind of image: unscanned, with
// no secrets, with a few, with a type of more than 100 files.
func secretsImages() []Image {
	return append(DemoImages(time.Now()), GenerateImages(300, 21)...)
}

// bulkType finds an image with a type of more than 100 files.
func bulkType(t *testing.T, images []Image) (Image, SensitiveFileType) {
	t.Helper()
	for _, img := range images {
		for _, ty := range ImageSensitiveFiles(img) {
			if len(ty.Files) > 100 {
				return img, ty
			}
		}
	}
	t.Fatal("no image has a secret type with more than 100 files")
	return nil, SensitiveFileType{}
}

// Every image's secrets agree with its record and with themselves.
func TestImageSensitiveFilesFollowTheRecord(t *testing.T) {
	seen := map[string]int{}
	for _, img := range secretsImages() {
		types := ImageSensitiveFiles(img)
		if !isScanned(img) {
			if len(types) != 0 {
				t.Fatalf("unscanned image %v has %d secret types", img["Uuid"], len(types))
			}
			seen["unscanned"]++
			continue
		}
		if !reflect.DeepEqual(types, ImageSensitiveFiles(img)) {
			t.Fatalf("image %v: two derivations differ", img["Uuid"])
		}
		seen[fmt.Sprintf("%d types", min(len(types), 2))]++
		lastScan := int64(fieldNumber(img["LastScanTime"]))
		for k, ty := range types {
			if k > 0 && sensitiveLevelRank[types[k-1].Level] > sensitiveLevelRank[ty.Level] {
				t.Fatalf("image %v: %s listed after %s", img["Uuid"], ty.Level, types[k-1].Level)
			}
			seen["level "+ty.Level]++
			seen["status "+strconv.Itoa(ty.Status)]++
			if len(ty.Files) > 100 {
				seen["more than 100 files"]++
			}
			checkSensitiveType(t, ty, lastScan)
		}
	}
	for _, want := range []string{"unscanned", "0 types", "1 types", "2 types", "level high", "level medium", "level low",
		"status 0", "status 1", "more than 100 files"} {
		if seen[want] == 0 {
			t.Errorf("no image shows %q: %v", want, seen)
		}
	}
}

func checkSensitiveType(t *testing.T, ty SensitiveFileType, lastScan int64) {
	t.Helper()
	if len(ty.Files) == 0 || ty.LastScanTime != lastScan || ty.Name.En == "" || ty.Name.Zh == "" || ty.ClassKey == "" ||
		ty.Description.En == "" || ty.Advice.Zh == "" {
		t.Fatalf("type %+v is incomplete", ty)
	}
	first := ty.LastScanTime
	paths := map[string]bool{}
	for _, f := range ty.Files {
		first = min(first, f.FirstScanTime)
		if paths[f.FilePath] {
			t.Fatalf("%s: file %s twice", ty.Key, f.FilePath)
		}
		paths[f.FilePath] = true
		if !hex64.MatchString(f.LayerDigest) || !hex32.MatchString(f.Md5) || !maskedPrompt.MatchString(f.Promt) ||
			f.FirstScanTime > f.LastScanTime || f.LastScanTime != lastScan {
			t.Fatalf("%s: file %+v", ty.Key, f)
		}
	}
	if ty.FirstScanTime != first {
		t.Fatalf("%s: FirstScanTime %d, its files' earliest %d", ty.Key, ty.FirstScanTime, first)
	}
}

// Findings follow the content: another record of the same digest holds the
// same secrets, and an image that is no longer scanned holds none.
func TestSensitiveFilesFollowTheDigest(t *testing.T) {
	images := GenerateImages(200, 21)
	img, ty := bulkType(t, images)
	copied := maps.Clone(img)
	copied["Uuid"], copied["RepoName"] = "copy-of-"+fieldString(img["Uuid"]), "mirror"
	unscanned := maps.Clone(img)
	unscanned["Uuid"], unscanned["ScaStatus"], unscanned["LastScanTime"] = "unscanned-copy", "INIT", 0
	s := startServer(t, Options{Images: []Image{img, copied, unscanned}})
	if got := s.SensitiveFiles(fieldString(copied["Uuid"]), ty.Key); !reflect.DeepEqual(got, ty.Files) {
		t.Fatalf("a record of the same digest has %d files of %s, want the %d of the original", len(got), ty.Key, len(ty.Files))
	}
	body := mustCall(t, newClient(t, s, defaultCreds), actionDescribeImageSensitiveFileList, map[string]string{"ImageUuid": "unscanned-copy"})
	if n := pageNumbers(t, body)["TotalCount"]; n != 0 {
		t.Fatalf("an unscanned record of a digest with secrets lists %d types", n)
	}
}

// wantListRow is a list row as the test expects it.
type wantListRow struct {
	SensitiveFileType
	count, unprocessed int
}

// perImageRows is what the list should show for one image.
func perImageRows(types []SensitiveFileType) []wantListRow {
	out := []wantListRow{}
	for _, ty := range types {
		out = append(out, wantListRow{SensitiveFileType: ty, count: len(ty.Files), unprocessed: boolToInt(ty.Status == SensitiveStatusUnhandled)})
	}
	return out
}

// accountRows is what the list without ImageUuid should show: each type
// added up over the images, by level, then in catalog order.
func accountRows(images []Image) []wantListRow {
	byKey := map[string]*wantListRow{}
	for _, img := range images {
		for _, ty := range ImageSensitiveFiles(img) {
			r := byKey[ty.Key]
			if r == nil {
				r = &wantListRow{SensitiveFileType: ty}
				r.Status = SensitiveStatusHandled
				byKey[ty.Key] = r
			}
			r.count += len(ty.Files)
			r.FirstScanTime, r.LastScanTime = min(r.FirstScanTime, ty.FirstScanTime), max(r.LastScanTime, ty.LastScanTime)
			if ty.Status == SensitiveStatusUnhandled {
				r.unprocessed++
				r.Status = SensitiveStatusUnhandled
			}
		}
	}
	out := []wantListRow{}
	for _, t := range sensitiveCatalog() {
		if r := byKey[t.key]; r != nil {
			out = append(out, *r)
		}
	}
	slices.SortStableFunc(out, func(a, b wantListRow) int {
		return cmp.Compare(sensitiveLevelRank[a.Level], sensitiveLevelRank[b.Level])
	})
	return out
}

// checkListRows holds list rows to the expected ones, wire quirks
// tolerated: numbers may be numeric strings, Advice may be absent.
func checkListRows(t *testing.T, got []map[string]any, want []wantListRow, lang string) {
	t.Helper()
	if len(got) != len(want) {
		var gotKeys, wantKeys []string
		for _, r := range got {
			gotKeys = append(gotKeys, fieldString(r["SensitiveFileKey"]))
		}
		for _, w := range want {
			wantKeys = append(wantKeys, w.Key)
		}
		t.Fatalf("rows %v, want %v", gotKeys, wantKeys)
	}
	for k, w := range want {
		fields := map[string]string{
			"SensitiveFileKey": w.Key, "SensitiveFileName": w.Name.In(lang), "ClassKey": w.ClassKey, "ClassName": w.ClassName.In(lang),
			"RiskLevel": w.Level, "Status": strconv.Itoa(w.Status), "Count": strconv.Itoa(w.count), "UnprocessedNum": strconv.Itoa(w.unprocessed),
			"FirstScanTime": strconv.FormatInt(w.FirstScanTime, 10), "LastScanTime": strconv.FormatInt(w.LastScanTime, 10),
			"Description": w.Description.In(lang), "Advice": w.Advice.In(lang),
		}
		checkFields(t, fmt.Sprintf("row %d (%s)", k, w.Key), got[k], fields, "Advice")
	}
}

// checkFields compares a row's fields in their string form; optional
// fields may be absent.
func checkFields(t *testing.T, what string, row map[string]any, want map[string]string, optional ...string) {
	t.Helper()
	for field, value := range want {
		got, present := row[field]
		if !present && slices.Contains(optional, field) {
			continue
		}
		if !present || fieldString(got) != value {
			t.Fatalf("%s: %s = %v (present %v), want %q", what, field, got, present, value)
		}
	}
	for field := range row {
		if _, expected := want[field]; !expected {
			t.Fatalf("%s: unexpected field %s", what, field)
		}
	}
}

// The list shows each type of an image once, as the accessor has it, in
// the envelope of the sensitive-file operations; Count is the number of
// files the other operation serves.
func TestDescribeImageSensitiveFileList(t *testing.T) {
	images := secretsImages()
	s := startServer(t, Options{Images: images})
	client := newClient(t, s, defaultCreds)
	checked := 0
	for _, img := range images[:120] {
		uuid := fieldString(img["Uuid"])
		types := s.SensitiveFileTypes(uuid)
		for _, lang := range []string{"en", "zh", ""} {
			body := mustCall(t, client, actionDescribeImageSensitiveFileList, map[string]string{"ImageUuid": uuid, "Lang": lang, "ScanRange": `["image"]`})
			checkSensitiveEnvelope(t, body, 1)
			info := pageNumbers(t, body)
			if info["TotalCount"] != len(types) || info["Count"] != len(types) || info["PageSize"] != defaultPageSize {
				t.Fatalf("%s: PageInfo %v for %d types", uuid, info, len(types))
			}
			checkListRows(t, listOf(t, body, "SensitiveFileList"), perImageRows(types), lang)
		}
		for _, ty := range types {
			files, _ := readAllPages(t, client, actionDescribeImageSensitiveFileByKey, "SensitiveFileList",
				map[string]string{"ImageUuid": uuid, "SensitiveFileKey": ty.Key}, 100)
			if len(files) != len(ty.Files) {
				t.Fatalf("%s %s: the list counts %d files, the files operation serves %d", uuid, ty.Key, len(ty.Files), len(files))
			}
			checked++
		}
	}
	if checked < 20 {
		t.Fatalf("only %d types checked", checked)
	}
}

// checkSensitiveEnvelope holds an answer to the envelope of the
// sensitive-file operations; Code is a number on even pages.
func checkSensitiveEnvelope(t *testing.T, body map[string]any, page int) {
	t.Helper()
	_, codeIsString := body["Code"].(string)
	if body["Success"] != true || fieldString(body["Code"]) != "200" || codeIsString != (page%2 == 1) ||
		fieldString(body["HttpStatusCode"]) != "200" || body["Message"] != "successful" || !requestIDPattern.MatchString(fieldString(body["RequestId"])) {
		t.Fatalf("page %d envelope: %v", page, body)
	}
	info := body["PageInfo"].(map[string]any)
	for _, field := range []string{"Count", "CurrentPage", "LastRowKey", "PageSize", "TotalCount"} {
		if _, ok := info[field]; !ok {
			t.Fatalf("PageInfo has no %s: %v", field, info)
		}
	}
}

// The demo images hold the documented secrets, files included.
func TestSensitiveFilesOfTheDemoImages(t *testing.T) {
	s := startServer(t, Options{Images: DemoImages(time.Now())})
	client := newClient(t, s, defaultCreds)
	type want struct {
		key, level          string
		status, unprocessed int
		paths               []string
	}
	cases := []struct {
		uuid string
		want []want
	}{
		{DemoUUIDPaymentsVulnerable, []want{
			{SensitiveKeyAWSAccessKey, "high", SensitiveStatusUnhandled, 1, []string{"/app/config/.env", "/root/.aws/credentials"}},
			{SensitiveKeyPostgreSQLPassword, "medium", SensitiveStatusUnhandled, 1, []string{"/app/config/database.yml"}},
		}},
		{DemoUUIDPaymentsClean, []want{{SensitiveKeyGitConfig, "low", SensitiveStatusHandled, 0, []string{"/app/.git/config"}}}},
		{DemoUUIDCheckoutUnscanned, nil},
		{DemoUUIDAuthStale, []want{{SensitiveKeySSHPrivateKey, "medium", SensitiveStatusUnhandled, 1, []string{"/home/app/.ssh/id_rsa"}}}},
	}
	for _, tc := range cases {
		rows := listOf(t, mustCall(t, client, actionDescribeImageSensitiveFileList, map[string]string{"ImageUuid": tc.uuid}), "SensitiveFileList")
		var got []want
		for _, r := range rows {
			key := fieldString(r["SensitiveFileKey"])
			files := listOf(t, mustCall(t, client, actionDescribeImageSensitiveFileByKey,
				map[string]string{"ImageUuid": tc.uuid, "SensitiveFileKey": key}), "SensitiveFileList")
			var paths []string
			for _, f := range files {
				paths = append(paths, fieldString(f["FilePath"]))
			}
			if int(fieldNumber(r["Count"])) != len(files) {
				t.Errorf("%s %s: Count %v for %d files", tc.uuid, key, r["Count"], len(files))
			}
			got = append(got, want{key, fieldString(r["RiskLevel"]), int(fieldNumber(r["Status"])), int(fieldNumber(r["UnprocessedNum"])), paths})
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.uuid, got, tc.want)
		}
	}
}

// The files of a type are served in order, page after page, at the page
// sizes a client uses.
func TestDescribeImageSensitiveFileByKeyPaging(t *testing.T) {
	images := secretsImages()
	img, ty := bulkType(t, images)
	s := startServer(t, Options{Images: images})
	client := newClient(t, s, defaultCreds)
	query := map[string]string{"ImageUuid": fieldString(img["Uuid"]), "SensitiveFileKey": ty.Key, "ScanRange": `["image","container"]`, "Lang": "en"}
	for _, size := range []int{100, 20} {
		rows, pages := readAllPages(t, client, actionDescribeImageSensitiveFileByKey, "SensitiveFileList", query, size)
		if want := len(ty.Files)/size + 1; pages != want {
			t.Fatalf("%d files read in %d pages of %d, want %d pages", len(ty.Files), pages, size, want)
		}
		for k, f := range ty.Files {
			checkFields(t, fmt.Sprintf("file %d at page size %d", k, size), rows[k], map[string]string{
				"FilePath": f.FilePath, "LayerDigest": f.LayerDigest, "Md5": f.Md5, "Promt": f.Promt,
				"SensitiveFileKey": ty.Key, "SensitiveFileName": ty.Name.En, "RiskLevel": ty.Level,
				"FirstScanTime": strconv.FormatInt(f.FirstScanTime, 10), "LastScanTime": strconv.FormatInt(f.LastScanTime, 10),
				"Description": ty.Description.En, "Advice": ty.Advice.En,
			}, "Description", "Advice")
		}
	}
	for page, want := range map[int]string{1: ty.Key + ":" + ty.Files[99].FilePath, 1000: ""} {
		body := mustCall(t, client, actionDescribeImageSensitiveFileByKey, withQuery(query, "PageSize", "100", "CurrentPage", strconv.Itoa(page)))
		checkSensitiveEnvelope(t, body, page)
		key := fieldString(body["PageInfo"].(map[string]any)["LastRowKey"])
		if decoded, err := base64.StdEncoding.DecodeString(key); err != nil || string(decoded) != want {
			t.Fatalf("page %d: LastRowKey %q, want base64 of %q", page, key, want)
		}
	}
}

// Without ImageUuid the list adds every image up; it crosses a page
// boundary at the default page size.
func TestDescribeImageSensitiveFileListAccountWide(t *testing.T) {
	images := secretsImages()
	s := startServer(t, Options{Images: images})
	client := newClient(t, s, defaultCreds)
	want := accountRows(images)
	if len(want) <= defaultPageSize {
		t.Fatalf("only %d types in the dataset: the listing does not cross a page", len(want))
	}
	rows, pages := readAllPages(t, client, actionDescribeImageSensitiveFileList, "SensitiveFileList", map[string]string{"Lang": "en"}, defaultPageSize)
	if pages != 2 {
		t.Fatalf("%d types read in %d pages", len(rows), pages)
	}
	checkListRows(t, rows, want, "en")
}

// Each filter of the list keeps what it says, alone and with an image.
func TestDescribeImageSensitiveFileListFilters(t *testing.T) {
	images := secretsImages()
	s := startServer(t, Options{Images: images})
	client := newClient(t, s, defaultCreds)
	all := accountRows(images)
	keep := func(pred func(SensitiveFileType) bool) []wantListRow {
		var out []wantListRow
		for _, r := range all {
			if pred(r.SensitiveFileType) {
				out = append(out, r)
			}
		}
		return out
	}
	demo := perImageRows(s.SensitiveFileTypes(DemoUUIDPaymentsVulnerable))
	cases := []struct {
		name  string
		query map[string]string
		want  []wantListRow
	}{
		{"RiskLevel high", map[string]string{"RiskLevel": "high"}, keep(func(t SensitiveFileType) bool { return t.Level == "high" })},
		{"RiskLevel low", map[string]string{"RiskLevel": "low"}, keep(func(t SensitiveFileType) bool { return t.Level == "low" })},
		{"one key", map[string]string{"SensitiveKeyList.1": "npm_token"}, keep(func(t SensitiveFileType) bool { return t.Key == "npm_token" })},
		{"two keys", map[string]string{"SensitiveKeyList.1": "npm_token", "SensitiveKeyList.2": "git_cfg"},
			keep(func(t SensitiveFileType) bool { return t.Key == "npm_token" || t.Key == "git_cfg" })},
		{"criteria on key or name", map[string]string{"Criteria": "TOKEN"},
			keep(func(t SensitiveFileType) bool {
				return regexp.MustCompile(`(?i)token`).MatchString(t.Key + " " + t.Name.En)
			})},
		{"criteria on the key", map[string]string{"Criteria": "private", "CriteriaType": "SensitiveFileKey"},
			keep(func(t SensitiveFileType) bool { return regexp.MustCompile(`private`).MatchString(t.Key) })},
		{"criteria on the name", map[string]string{"Criteria": "key", "CriteriaType": "SensitiveFileName"},
			keep(func(t SensitiveFileType) bool { return regexp.MustCompile(`(?i)key`).MatchString(t.Name.En) })},
		{"ScanRange image", map[string]string{"ScanRange": `["image"]`}, all},
		{"ScanRange container", map[string]string{"ScanRange": `["container"]`}, nil},
		{"an image", map[string]string{"ImageUuid": DemoUUIDPaymentsVulnerable}, demo},
		{"an image and a level", map[string]string{"ImageUuid": DemoUUIDPaymentsVulnerable, "RiskLevel": "medium"}, demo[1:]},
		{"an unknown image", map[string]string{"ImageUuid": "no-such-image"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.want) == 0 && tc.name != "ScanRange container" && tc.name != "an unknown image" {
				t.Fatalf("the case keeps nothing: it would prove nothing")
			}
			if len(tc.want) == len(all) && tc.name != "ScanRange image" {
				t.Fatalf("the case keeps everything: it would prove nothing")
			}
			rows, _ := readAllPages(t, client, actionDescribeImageSensitiveFileList, "SensitiveFileList", withQuery(tc.query, "Lang", "en"), 100)
			checkListRows(t, rows, tc.want, "en")
		})
	}
}

// Every parameter in the form the SDK sends is accepted; the other forms,
// and values outside the documented ones, are refused.
func TestSensitiveFileParameterEncodings(t *testing.T) {
	s := startServer(t, Options{Images: DemoImages(time.Now())})
	client := newClient(t, s, defaultCreds)
	list, byKey := actionDescribeImageSensitiveFileList, actionDescribeImageSensitiveFileByKey
	file := map[string]string{"ImageUuid": DemoUUIDPaymentsVulnerable, "SensitiveFileKey": SensitiveKeyAWSAccessKey}
	cases := []struct {
		action string
		query  map[string]string
		code   string // "" when accepted
	}{
		{list, map[string]string{"ScanRange": `["image"]`}, ""},
		{list, map[string]string{"ScanRange": `["image","container"]`}, ""},
		{list, map[string]string{"ScanRange.1": "image"}, "InvalidParameter"},
		{list, map[string]string{"ScanRange": "image"}, "InvalidParameter"},
		{list, map[string]string{"ScanRange": `["host"]`}, "InvalidParameter"},
		{byKey, withQuery(file, "ScanRange", `["image"]`), ""},
		{byKey, withQuery(file, "ScanRange.1", "image"), "InvalidParameter"},
		{byKey, withQuery(file, "ScanRange", "image"), "InvalidParameter"},
		{list, map[string]string{"SensitiveKeyList.1": "aws_access_key", "SensitiveKeyList.2": "npm_token"}, ""},
		{list, map[string]string{"SensitiveKeyList": `["aws_access_key"]`}, "InvalidParameter"},
		{list, map[string]string{"SensitiveKeyList": "aws_access_key,npm_token"}, "InvalidParameter"},
		{list, map[string]string{"SensitiveKeyList.2": "aws_access_key"}, "InvalidParameter"},
		{list, map[string]string{"SensitiveKeyList.1": "aws_access_key", "SensitiveKeyList.x": "npm_token"}, "InvalidParameter"},
		{list, map[string]string{"RiskLevel": "medium"}, ""},
		{list, map[string]string{"RiskLevel": "high,medium"}, "InvalidParameter"},
		{list, map[string]string{"RiskLevel": "serious"}, "InvalidParameter"},
		{list, map[string]string{"CriteriaType": "SensitiveFileKey", "Criteria": "aws"}, ""},
		{list, map[string]string{"CriteriaType": "ClassKey", "Criteria": "aws"}, "InvalidParameter"},
		{list, map[string]string{"Lang": "zh"}, ""},
		{list, map[string]string{"Lang": "fr"}, "InvalidParameter"},
		{byKey, withQuery(file, "Lang", "jp"), "InvalidParameter"},
		{list, map[string]string{"PageSize": "0"}, "InvalidParameter"},
		{byKey, withQuery(file, "CurrentPage", "first"), "InvalidParameter"},
		{byKey, map[string]string{"SensitiveFileKey": SensitiveKeyAWSAccessKey}, "MissingParameter"},
		{byKey, map[string]string{"ImageUuid": DemoUUIDPaymentsVulnerable}, "MissingParameter"},
	}
	for _, tc := range cases {
		_, err := call(client, tc.action, tc.query)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s %v: %v", tc.action, tc.query, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s %v: accepted, want %s", tc.action, tc.query, tc.code)
			continue
		}
		if code, status := sdkError(t, err); code != tc.code || status != http.StatusBadRequest {
			t.Errorf("%s %v: %s/%d, want %s/400", tc.action, tc.query, code, status, tc.code)
		}
	}
}

// The odd wire forms a client must accept all appear.
func TestSensitiveFileQuirksAppear(t *testing.T) {
	images := secretsImages()
	s := startServer(t, Options{Images: images})
	client := newClient(t, s, defaultCreds)
	img, ty := bulkType(t, images)
	found := map[string]bool{}
	note := func(quirk string, present bool) { found[quirk] = found[quirk] || present }
	types, _ := readAllPages(t, client, actionDescribeImageSensitiveFileList, "SensitiveFileList", nil, 100)
	for _, r := range types {
		_, statusString := r["Status"].(string)
		_, countString := r["Count"].(string)
		_, unprocessedString := r["UnprocessedNum"].(string)
		_, hasAdvice := r["Advice"]
		note("Status and Count as strings", statusString && countString)
		note("UnprocessedNum as a string", unprocessedString)
		note("Advice absent", !hasAdvice)
	}
	files, _ := readAllPages(t, client, actionDescribeImageSensitiveFileByKey, "SensitiveFileList",
		map[string]string{"ImageUuid": fieldString(img["Uuid"]), "SensitiveFileKey": ty.Key}, 100)
	for _, f := range files {
		_, firstString := f["FirstScanTime"].(string)
		_, lastString := f["LastScanTime"].(string)
		_, hasDescription := f["Description"]
		note("FirstScanTime as a string", firstString)
		note("LastScanTime as a string", lastString)
		note("Description absent", !hasDescription)
	}
	for _, quirk := range []string{"Status and Count as strings", "UnprocessedNum as a string", "Advice absent",
		"FirstScanTime as a string", "LastScanTime as a string", "Description absent"} {
		if !found[quirk] {
			t.Errorf("no row shows %s", quirk)
		}
	}
}

// The page cap and the PageSize report apply as to every listing.
func TestSensitiveFilePageCapAndReport(t *testing.T) {
	images := secretsImages()
	img, ty := bulkType(t, images)
	query := map[string]string{"ImageUuid": fieldString(img["Uuid"]), "SensitiveFileKey": ty.Key, "PageSize": "100"}
	for report, want := range map[PageSizeReport]string{ReportServedPageSize: "30", ReportRequestedPageSize: "100", OmitPageSize: ""} {
		s := startServer(t, Options{Images: images, MaxPageSize: 30, PageSizeReport: report})
		body := mustCall(t, newClient(t, s, defaultCreds), actionDescribeImageSensitiveFileByKey, query)
		size, present := body["PageInfo"].(map[string]any)["PageSize"]
		if n := len(listOf(t, body, "SensitiveFileList")); n != 30 || fieldString(size) != want || present != (want != "") {
			t.Errorf("report %s: %d files, PageSize %v (present %v), want 30 files and %q", pageSizeReportNames[report], n, size, present, want)
		}
	}
}

// Options.SensitiveFiles gives an image the types asked for, by its
// digest, every record of that digest alike; the list and the files serve
// them, and an unknown key is left out. Other images keep their own.
func TestGivenSensitiveFiles(t *testing.T) {
	keys := SensitiveFileKeys()
	demo := DemoImages(time.Now())
	scanned := func(uuid string) Image {
		return Image{"Uuid": uuid, "Digest": demoHex(7, 64), "ScaStatus": "SUCCESS", "LastScanTime": int64(1764000000000)}
	}
	given, twin := scanned("u-given"), scanned("u-twin")
	images := append(demo, given, twin)
	spec := []SensitiveFileSpec{{Key: keys[0], Files: 120}, {Key: "no_such_key", Files: 3}, {Key: keys[len(keys)-1], Files: 2, Handled: true}}
	s := startServer(t, Options{Images: images, SensitiveFiles: map[string][]SensitiveFileSpec{demoHex(7, 64): spec}})
	for _, uuid := range []string{"u-given", "u-twin"} {
		types := s.SensitiveFileTypes(uuid)
		if len(types) != 2 || types[0].Key != keys[0] || len(types[0].Files) != 120 || types[0].Status != SensitiveStatusUnhandled ||
			types[1].Key != keys[len(keys)-1] || len(types[1].Files) != 2 || types[1].Status != SensitiveStatusHandled {
			t.Fatalf("%s: %d types %+v, want the two known ones given", uuid, len(types), types)
		}
	}
	client := newClient(t, s, defaultCreds)
	rows, pages := readAllPages(t, client, actionDescribeImageSensitiveFileList, "SensitiveFileList",
		map[string]string{"ImageUuid": "u-given", "ScanRange": `["image"]`, "Lang": "en"}, 100)
	if pages != 1 || len(rows) != 2 || fieldString(rows[0]["Count"]) != "120" {
		t.Fatalf("list: %d rows in %d pages: %v", len(rows), pages, rows)
	}
	files, pages := readAllPages(t, client, actionDescribeImageSensitiveFileByKey, "SensitiveFileList",
		map[string]string{"ImageUuid": "u-twin", "SensitiveFileKey": keys[0], "ScanRange": `["image"]`}, 100)
	if pages != 2 || len(files) != 120 {
		t.Fatalf("files: %d in %d pages, want 120 in 2", len(files), pages)
	}
	for _, d := range demo {
		if !reflect.DeepEqual(s.SensitiveFileTypes(fieldString(d["Uuid"])), ImageSensitiveFiles(d)) {
			t.Errorf("demo image %v lost its own secrets", d["Uuid"])
		}
	}
}
