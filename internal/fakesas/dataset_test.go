package fakesas

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"
)

var (
	hex64   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hex32   = regexp.MustCompile(`^[0-9a-f]{32}$`)
	uuidRE  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	digits  = regexp.MustCompile(`^[0-9]+$`)
	tagRE   = regexp.MustCompile(`^(v?[0-9]+\.[0-9]+\.[0-9]+(-rc\.[0-9]|-alpine)?|[0-9a-f]{7})$`)
	yesOrNo = map[any]bool{"YES": true, "NO": true}
)

func TestGenerateImagesDeterministic(t *testing.T) {
	a, b := GenerateImages(500, 3), GenerateImages(500, 3)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different images")
	}
	if reflect.DeepEqual(a, GenerateImages(500, 4)) {
		t.Fatal("different seeds, same images")
	}
	if got := GenerateImages(0, 1); got == nil || len(got) != 0 {
		t.Fatalf("n=0: %v", got)
	}
}

// checkImageShape asserts the wire types and consistency rules of one image.
func checkImageShape(t *testing.T, img Image) {
	t.Helper()
	str := func(k string) string {
		v, ok := img[k].(string)
		if !ok {
			t.Fatalf("%s = %#v is not a string: %v", k, img[k], img)
		}
		return v
	}
	num := func(k string) int64 {
		switch v := img[k].(type) {
		case int:
			return int64(v)
		case int64:
			return v
		}
		t.Fatalf("%s = %#v is not an integer", k, img[k])
		return 0
	}
	for k, re := range map[string]*regexp.Regexp{"Digest": hex64, "ImageId": hex64, "RepoId": hex32, "Uuid": uuidRE,
		"ImageSize": digits, "ImageCreate": digits, "ImageUpdate": digits, "Tag": tagRE} {
		if !re.MatchString(str(k)) {
			t.Errorf("%s = %q", k, str(k))
		}
	}
	var endpoints []string
	if err := json.Unmarshal([]byte(str("Endpoints")), &endpoints); err != nil {
		t.Errorf("Endpoints %q: %v", str("Endpoints"), err)
	}
	vul, hc, alarm := num("VulCount"), num("HcCount"), num("AlarmCount")
	for k, n := range map[string]int64{"VulStatus": vul, "HcStatus": hc, "AlarmStatus": alarm} {
		if str(k) != yesNo(n > 0) {
			t.Errorf("%s = %s with count %d", k, str(k), n)
		}
	}
	if str("RiskStatus") != yesNo(vul+hc+alarm > 0) {
		t.Errorf("RiskStatus %s with counts %d/%d/%d", str("RiskStatus"), vul, hc, alarm)
	}
	if d := num("Deployed"); d != 0 && d != 1 {
		t.Errorf("Deployed %d", d)
	}
	last, progress := num("LastScanTime"), num("ScaProgress")
	if last == 0 && (progress >= 100 || str("ScaStatus") == "SUCCESS") {
		t.Errorf("never scanned but ScaStatus %s progress %d", str("ScaStatus"), progress)
	}
	created, _ := strconv.ParseInt(str("ImageCreate"), 10, 64)
	updated, _ := strconv.ParseInt(str("ImageUpdate"), 10, 64)
	if updated < created || (last > 0 && last < updated) {
		t.Errorf("times out of order: create %d update %d scan %d", created, updated, last)
	}
	for _, k := range []string{"Status", "RegistryType", "RepoType", "RepoName", "RepoNamespace", "RegionId", "InstanceId", "ScaStatus"} {
		if str(k) == "" {
			t.Errorf("%s empty", k)
		}
	}
	if !yesOrNo[img["VulStatus"]] {
		t.Errorf("VulStatus %v", img["VulStatus"])
	}
}

func TestGenerateImagesShape(t *testing.T) {
	images := GenerateImages(5000, 11)
	uuids := map[string]bool{}
	repos := map[any]bool{}
	counts := map[string]int{}
	for _, img := range images {
		checkImageShape(t, img)
		if t.Failed() {
			t.Fatalf("bad image %v", img)
		}
		uuid := img["Uuid"].(string)
		if uuids[uuid] {
			t.Fatalf("duplicate Uuid %s", uuid)
		}
		uuids[uuid] = true
		repos[img["RepoName"]] = true
		if img["LastScanTime"].(int64) == 0 {
			counts["never scanned"]++
		}
		if !isScanned(img) {
			counts["not scanned"]++
		}
		if _, ok := img["SourceBizTag"]; ok {
			counts["biz tag"]++
		}
		if _, ok := img["ScaResult"]; ok {
			counts["sca result"]++
		}
		if img["RegistryType"] == "harbor" {
			counts["harbor"]++
		}
		if img["VulCount"].(int) == 0 {
			counts["no vuls"]++
		}
		if img["Endpoints"] == "[]" {
			counts["no endpoints"]++
		}
	}
	if len(repos) < 25 {
		t.Errorf("only %d repositories", len(repos))
	}
	// Rough shares, wide enough to be stable across seeds.
	bounds := map[string][2]int{
		"never scanned": {250, 600},   // ~8%
		"not scanned":   {250, 600},   // same images
		"biz tag":       {500, 1000},  // ~15%
		"sca result":    {150, 600},   // failures and repeat tasks
		"harbor":        {100, 2500},  // a few repositories
		"no vuls":       {2000, 3000}, // ~41% + never scanned
		"no endpoints":  {300, 700},   // ~10%
	}
	for k, b := range bounds {
		if counts[k] < b[0] || counts[k] > b[1] {
			t.Errorf("%s: %d of 5000, want %d..%d", k, counts[k], b[0], b[1])
		}
	}
}

// TestGenerateImagesFast: 100,000 images must come well under a second; the
// bound is loose so a loaded CI machine does not flake, and the race
// detector (which slows allocation-heavy code several times) skips it.
func TestGenerateImagesFast(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("timing is meaningless under -race or -short")
	}
	start := time.Now()
	images := GenerateImages(100_000, 1)
	elapsed := time.Since(start)
	t.Logf("GenerateImages(100000) took %v", elapsed)
	if len(images) != 100_000 || elapsed > 2*time.Second {
		t.Fatalf("%d images in %v", len(images), elapsed)
	}
}

func BenchmarkGenerateImages100k(b *testing.B) {
	for b.Loop() {
		GenerateImages(100_000, 1)
	}
}

func TestDemoImages(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	images := DemoImages(now)
	if !reflect.DeepEqual(images, DemoImages(now)) {
		t.Fatal("DemoImages is not deterministic")
	}
	if len(images) != 44 {
		t.Fatalf("%d images", len(images))
	}
	byUUID := map[string]Image{}
	for _, img := range images {
		checkImageShape(t, img)
		byUUID[img["Uuid"].(string)] = img
	}
	if len(byUUID) != len(images) {
		t.Fatal("duplicate Uuids")
	}
	day := int64(24 * time.Hour / time.Millisecond)
	nowMs := now.UnixMilli()
	cases := []struct {
		uuid, repo, tag string
		vul             int
		risk            string
		scanned         bool
		scannedDaysAgo  int64 // -1 = not checked
		deployed        int
	}{
		{DemoUUIDPaymentsVulnerable, "payments-api", "1.4.2", 7, "YES", true, 2, 1},
		{DemoUUIDPaymentsClean, "payments-api", "1.4.3", 0, "NO", true, 0, 0},
		{DemoUUIDCheckoutUnscanned, "checkout-web", "2.0.0", 0, "NO", false, -1, 1},
		{DemoUUIDAuthStale, "auth-service", "3.1.0", 0, "NO", true, 120, 1},
	}
	for _, tc := range cases {
		img := byUUID[tc.uuid]
		if img == nil {
			t.Fatalf("missing %s", tc.uuid)
		}
		if img["RepoName"] != tc.repo || img["Tag"] != tc.tag || img["RepoNamespace"] != "prod" ||
			img["VulCount"] != tc.vul || img["RiskStatus"] != tc.risk || isScanned(img) != tc.scanned || img["Deployed"] != tc.deployed {
			t.Errorf("%s:%s = %v", tc.repo, tc.tag, img)
		}
		if tc.scannedDaysAgo >= 0 {
			if ago := (nowMs - img["LastScanTime"].(int64)) / day; ago != tc.scannedDaysAgo {
				t.Errorf("%s:%s scanned %d days ago, want %d", tc.repo, tc.tag, ago, tc.scannedDaysAgo)
			}
		}
	}
	if u := byUUID[DemoUUIDCheckoutUnscanned]; u["LastScanTime"] != int64(0) || u["ScaStatus"] != "INIT" {
		t.Errorf("checkout-web: %v", u)
	}
	// Only the named images are in the named repositories.
	named := 0
	for _, img := range images {
		switch img["RepoName"] {
		case "payments-api", "checkout-web", "auth-service":
			named++
		}
		created, _ := strconv.ParseInt(img["ImageCreate"].(string), 10, 64)
		if created > nowMs || created < nowMs-600*day {
			t.Errorf("ImageCreate %d not relative to now", created)
		}
	}
	if named != 4 {
		t.Fatalf("%d images in the named repositories", named)
	}
}

func TestFullImage(t *testing.T) {
	img := FullImage()
	checkImageShape(t, img)
	seen := map[string]string{}
	for _, field := range DocumentedFields() {
		v, ok := img[field]
		if !ok || v == "" {
			t.Errorf("%s missing", field)
			continue
		}
		key := fieldString(v)
		if key == "YES" || key == "NO" {
			continue // status flags can only be YES or NO
		}
		if other, dup := seen[key]; dup {
			t.Errorf("%s and %s share value %s", field, other, key)
		}
		seen[key] = field
	}
	if len(img) != len(DocumentedFields()) {
		t.Errorf("%d fields, %d documented", len(img), len(DocumentedFields()))
	}
	var endpoints []string
	if err := json.Unmarshal([]byte(img["Endpoints"].(string)), &endpoints); err != nil || len(endpoints) != 2 {
		t.Errorf("Endpoints %v (%v)", endpoints, err)
	}
}

func TestEncodeAllEncodesEveryRecord(t *testing.T) {
	s := New(Options{Images: imagesNamed(5)})
	if err := s.EncodeAll(); err != nil {
		t.Fatal(err)
	}
	for i := range s.data.images {
		if s.data.encoded[i].Load() == nil {
			t.Errorf("record %d is not encoded", i)
		}
	}
}
