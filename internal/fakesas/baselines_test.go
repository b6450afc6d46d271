package fakesas

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scannedImage is a scanned image with n baseline risks.
func scannedImage(uuid string, n any) Image {
	return Image{"Uuid": uuid, "ScaStatus": "SUCCESS", "LastScanTime": int64(1764000000000), "HcCount": n}
}

// Every image's baselines agree with its record and with themselves, over
// a generated dataset large enough to hold every case.
func TestImageBaselinesAreConsistentWithTheImage(t *testing.T) {
	images := append(GenerateImages(400, 7), DemoImages(time.Now())...)
	seen := map[string]int{}
	for _, img := range images {
		baselines := ImageBaselines(img)
		hc := int(fieldNumber(img["HcCount"]))
		if !isScanned(img) || hc <= 0 {
			if len(baselines) != 0 {
				t.Fatalf("image %v (scanned %v, HcCount %d) has %d baselines, want none", img["Uuid"], isScanned(img), hc, len(baselines))
			}
			seen["no baselines"]++
			continue
		}
		if !reflect.DeepEqual(baselines, ImageBaselines(img)) {
			t.Fatalf("image %v: two derivations differ", img["Uuid"])
		}
		sum := 0
		keys := map[string]bool{}
		for _, b := range baselines {
			sum += b.RiskItems()
			if keys[b.Key] {
				t.Fatalf("image %v: baseline %s twice", img["Uuid"], b.Key)
			}
			keys[b.Key] = true
			checkBaseline(t, b)
			seen["level "+b.Level]++
			seen["baseline status "+strconv.Itoa(b.Status)]++
			for _, item := range b.Items {
				seen["item status "+strconv.Itoa(item.Status)]++
				if item.Whitelisted {
					seen["whitelisted"]++
				}
			}
		}
		if sum != hc {
			t.Fatalf("image %v: risk items add up to %d, HcCount is %d", img["Uuid"], sum, hc)
		}
	}
	for _, want := range []string{"no baselines", "level high", "level medium", "level low", "baseline status 0", "baseline status 1",
		"item status 0", "item status 1", "item status 2", "item status 3", "whitelisted"} {
		if seen[want] == 0 {
			t.Errorf("the dataset has no case of %q (seen %v)", want, seen)
		}
	}
}

// checkBaseline checks the rules ImageBaselines documents for one baseline.
func checkBaseline(t *testing.T, b Baseline) {
	t.Helper()
	risks := b.RiskItems()
	highest := map[string]int{"high": b.HighRiskItems, "medium": b.MediumRiskItems, "low": b.LowRiskItems}[b.Level]
	above := map[string]int{"high": 0, "medium": b.HighRiskItems, "low": b.HighRiskItems + b.MediumRiskItems}[b.Level]
	switch {
	case risks <= 0 || highest <= 0 || above != 0:
		t.Fatalf("baseline %s of level %s has counts %d/%d/%d", b.Key, b.Level, b.HighRiskItems, b.MediumRiskItems, b.LowRiskItems)
	case b.ItemCount != len(b.Items) || b.ItemCount < risks || b.ItemCount > risks+2:
		t.Fatalf("baseline %s: ItemCount %d, %d items, %d risks", b.Key, b.ItemCount, len(b.Items), risks)
	case b.FirstScanTime > b.LastScanTime || b.LastScanTime <= 0:
		t.Fatalf("baseline %s: first scan %d, last scan %d", b.Key, b.FirstScanTime, b.LastScanTime)
	case b.Name.En == "" || b.Name.Zh == "" || b.ClassName.En == "" || b.ClassName.Zh == "" || b.ClassKey == "":
		t.Fatalf("baseline %s: missing names %+v", b.Key, b)
	}
	open := 0
	keys := map[string]bool{}
	for k, item := range b.Items {
		if keys[item.Key] || item.Name.En == "" || item.Name.Zh == "" {
			t.Fatalf("baseline %s: item %+v repeated or unnamed", b.Key, item)
		}
		keys[item.Key] = true
		if item.Status != BaselineItemStatusFixed {
			open++
		}
		if k >= risks && (item.Status != BaselineItemStatusFixed || item.Whitelisted) {
			t.Fatalf("baseline %s: passed item %+v is not fixed or is whitelisted", b.Key, item)
		}
	}
	if (b.Status == BaselineStatusFixed) != (open == 0) {
		t.Fatalf("baseline %s: status %d with %d items not fixed", b.Key, b.Status, open)
	}
}

func TestImageBaselinesFollowTheRecord(t *testing.T) {
	cases := []struct {
		name string
		img  Image
		want int // risk items, -1 for none at all
	}{
		{"HcCount a number", scannedImage("u-1", 7), 7},
		{"HcCount a string", scannedImage("u-1", "7"), 7},
		{"HcCount a float", scannedImage("u-1", 7.0), 7},
		{"HcCount 0", scannedImage("u-1", 0), -1},
		{"HcCount missing", Image{"Uuid": "u-1", "ScaStatus": "SUCCESS", "LastScanTime": int64(1)}, -1},
		{"never scanned", Image{"Uuid": "u-1", "ScaStatus": "INIT", "LastScanTime": int64(0), "HcCount": 7}, -1},
		{"no scan time", Image{"Uuid": "u-1", "ScaStatus": "SUCCESS", "HcCount": 7}, -1},
		{"more risks than the catalog has checks", scannedImage("u-1", 500), 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			baselines := ImageBaselines(tc.img)
			if tc.want < 0 {
				if baselines != nil {
					t.Fatalf("%d baselines, want none", len(baselines))
				}
				return
			}
			sum := 0
			for _, b := range baselines {
				checkBaseline(t, b)
				sum += b.RiskItems()
			}
			if sum != tc.want {
				t.Fatalf("risk items add up to %d, want %d", sum, tc.want)
			}
		})
	}
	if reflect.DeepEqual(ImageBaselines(scannedImage("u-1", 30)), ImageBaselines(scannedImage("u-2", 30))) {
		t.Error("two images with the same HcCount have the same baselines: the uuid should vary them")
	}
}

// baselinePage and itemPage decode the fake's answers as a client would.
type baselinePage struct {
	PageInfo       map[string]int
	BaselineResult []baselineResultWire
}

type itemPage struct {
	PageInfo          map[string]int
	BaselineItemInfos []baselineItemWire
}

func decodeBody[T any](t *testing.T, body map[string]any) T {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return out
}

// wantResults is what the check result operation should send for baselines in lang.
func wantResults(baselines []Baseline, lang string) []baselineResultWire {
	out := []baselineResultWire{}
	for _, b := range baselines {
		out = append(out, baselineResultWire{
			BaselineNameKey: b.Key, BaselineNameAlias: b.Name.In(lang), BaselineClassAlias: b.ClassKey, BaselineNameLevel: b.Level,
			BaselineItemCount: b.ItemCount, HighRiskItemCount: b.HighRiskItems, MiddleRiskItemCount: b.MediumRiskItems, LowRiskItemCount: b.LowRiskItems,
			Status: b.Status, FirstScanTime: b.FirstScanTime, LastScanTime: b.LastScanTime,
		})
	}
	return out
}

// richImage is a scanned image with many baselines, among them every level.
func richImage(t *testing.T) (Image, []Baseline) {
	t.Helper()
	for i := range 200 {
		img := scannedImage(fmt.Sprintf("u-rich-%d", i), 40)
		baselines := ImageBaselines(img)
		levels := map[string]bool{}
		for _, b := range baselines {
			levels[b.Level] = true
		}
		if len(baselines) >= 5 && len(levels) == 3 {
			return img, baselines
		}
	}
	t.Fatal("no image with five baselines of every level")
	return nil, nil
}

// The check results are the image's baselines, paged under the page cap,
// filtered by level and keyword, in the language asked for.
func TestDescribeImageBaselineCheckResult(t *testing.T) {
	img, baselines := richImage(t)
	s := startServer(t, Options{Images: []Image{scannedImage("u-other", 3), img}, MaxPageSize: 2})
	client := newClient(t, s, defaultCreds)
	uuid := img["Uuid"].(string)

	var got []baselineResultWire
	for page := 1; ; page++ {
		resp := decodeBody[baselinePage](t, mustCall(t, client, actionDescribeImageBaselineCheckResult,
			map[string]string{"ImageUuid": uuid, "Lang": "en", "PageSize": "100", "CurrentPage": strconv.Itoa(page)}))
		want := map[string]int{"CurrentPage": page, "PageSize": 2, "TotalCount": len(baselines), "Count": len(resp.BaselineResult)}
		if !reflect.DeepEqual(resp.PageInfo, want) {
			t.Fatalf("page %d: PageInfo %v, want %v", page, resp.PageInfo, want)
		}
		if len(resp.BaselineResult) == 0 {
			break
		}
		got = append(got, resp.BaselineResult...)
	}
	if !reflect.DeepEqual(got, wantResults(baselines, "en")) {
		t.Fatalf("served\n%+v\nwant\n%+v", got, wantResults(baselines, "en"))
	}

	filter := func(keep func(Baseline) bool) []Baseline {
		var out []Baseline
		for _, b := range baselines {
			if keep(b) {
				out = append(out, b)
			}
		}
		return out
	}
	first := baselines[0]
	cases := []struct {
		name  string
		query map[string]string
		want  []Baseline
		lang  string
	}{
		{"Chinese by default", nil, baselines, "zh"},
		{"Chinese", map[string]string{"Lang": "zh"}, baselines, "zh"},
		{"levels", map[string]string{"RiskLevel": "high,low"}, filter(func(b Baseline) bool { return b.Level != "medium" }), "zh"},
		{"one level, padded", map[string]string{"RiskLevel": " medium "}, filter(func(b Baseline) bool { return b.Level == "medium" }), "zh"},
		{"name keyword", map[string]string{"Criteria": strings.ToUpper(first.Name.En[:6]), "CriteriaType": "BaselineNameAlias", "Lang": "en"},
			filter(func(b Baseline) bool {
				kw := strings.ToLower(first.Name.En[:6])
				return strings.Contains(strings.ToLower(b.Name.En), kw) || strings.Contains(b.Key, kw)
			}), "en"},
		{"class key", map[string]string{"Criteria": first.ClassKey, "CriteriaType": "BaselineClassAlias"},
			filter(func(b Baseline) bool { return b.ClassKey == first.ClassKey }), "zh"},
		{"class keyword is not a name keyword", map[string]string{"Criteria": first.ClassKey, "CriteriaType": "BaselineNameAlias"},
			filter(func(b Baseline) bool { return strings.Contains(b.Key, first.ClassKey) }), "zh"},
		{"no match", map[string]string{"Criteria": "no-such-baseline"}, nil, "zh"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := map[string]string{"ImageUuid": uuid, "PageSize": "2"}
			for k, v := range tc.query {
				q[k] = v
			}
			got := []baselineResultWire{}
			for page := 1; page <= 10; page++ {
				q["CurrentPage"] = strconv.Itoa(page)
				resp := decodeBody[baselinePage](t, mustCall(t, client, actionDescribeImageBaselineCheckResult, q))
				if resp.PageInfo["TotalCount"] != len(tc.want) {
					t.Fatalf("TotalCount %d, want %d", resp.PageInfo["TotalCount"], len(tc.want))
				}
				got = append(got, resp.BaselineResult...)
			}
			if !reflect.DeepEqual(got, wantResults(tc.want, tc.lang)) {
				t.Fatalf("served\n%+v\nwant\n%+v", got, wantResults(tc.want, tc.lang))
			}
		})
	}
}

// An image the fake does not hold, or one never scanned, has no baselines.
func TestBaselinesOfUnknownAndUnscannedImages(t *testing.T) {
	unscanned := Image{"Uuid": "u-new", "ScaStatus": "INIT", "LastScanTime": int64(0), "HcCount": 5}
	s := startServer(t, Options{Images: []Image{unscanned}})
	client := newClient(t, s, defaultCreds)
	for _, uuid := range []string{"u-new", "u-unknown"} {
		for _, action := range []string{actionDescribeImageBaselineCheckResult, actionDescribeImageBaselineItemList} {
			body := mustCall(t, client, action, map[string]string{"ImageUuid": uuid})
			if info := pageInfoOf(t, body); info["TotalCount"] != 0 || info["Count"] != 0 {
				t.Errorf("%s of %s: PageInfo %v, want nothing", action, uuid, info)
			}
		}
	}
}

// The check items of a baseline are its items, paged, with their status
// and whitelist flag, filtered by baseline, class and status.
func TestDescribeImageBaselineItemList(t *testing.T) {
	img, baselines := richImage(t)
	s := startServer(t, Options{Images: []Image{img}, MaxPageSize: 3})
	client := newClient(t, s, defaultCreds)
	uuid := img["Uuid"].(string)
	itemsOf := func(q map[string]string) []baselineItemWire {
		t.Helper()
		q["ImageUuid"] = uuid
		var got []baselineItemWire
		for page := 1; ; page++ {
			q["CurrentPage"] = strconv.Itoa(page)
			resp := decodeBody[itemPage](t, mustCall(t, client, actionDescribeImageBaselineItemList, q))
			if resp.PageInfo["PageSize"] != 3 || resp.PageInfo["Count"] != len(resp.BaselineItemInfos) {
				t.Fatalf("PageInfo %v for %d items", resp.PageInfo, len(resp.BaselineItemInfos))
			}
			if len(resp.BaselineItemInfos) == 0 {
				return got
			}
			got = append(got, resp.BaselineItemInfos...)
		}
	}
	wire := func(b Baseline, item BaselineItem, lang string) baselineItemWire {
		return baselineItemWire{
			BaselineItemKey: item.Key, BaselineItemAlias: item.Name.In(lang), BaselineNameKey: b.Key, BaselineNameAlias: b.Name.In(lang),
			BaselineClassKey: b.ClassKey, BaselineClassAlias: b.ClassName.In(lang), Status: item.Status, WhiteList: boolToInt(item.Whitelisted),
		}
	}
	var all []baselineItemWire
	for _, b := range baselines {
		want := []baselineItemWire{}
		for _, item := range b.Items {
			want = append(want, wire(b, item, "en"))
			all = append(all, wire(b, item, "zh"))
		}
		if got := itemsOf(map[string]string{"BaselineNameKey": b.Key, "Lang": "en", "PageSize": "50"}); !reflect.DeepEqual(append([]baselineItemWire{}, got...), want) {
			t.Errorf("items of %s:\n%+v\nwant\n%+v", b.Key, got, want)
		}
	}
	if got := itemsOf(map[string]string{}); !reflect.DeepEqual(got, all) {
		t.Errorf("every item, in Chinese:\n%+v\nwant\n%+v", got, all)
	}
	for status := range 4 {
		var want []baselineItemWire
		for _, w := range all {
			if w.Status == status {
				want = append(want, w)
			}
		}
		if got := itemsOf(map[string]string{"Status": strconv.Itoa(status)}); !reflect.DeepEqual(got, want) {
			t.Errorf("items of status %d: %d, want %d", status, len(got), len(want))
		}
	}
	class := baselines[0].ClassKey
	for _, w := range itemsOf(map[string]string{"BaselineClassKey": class}) {
		if w.BaselineClassKey != class {
			t.Errorf("class filter %s let %+v through", class, w)
		}
	}
}

func TestBaselineInvalidParameters(t *testing.T) {
	s := startServer(t, Options{Images: []Image{scannedImage("u-1", 5)}})
	client := newClient(t, s, defaultCreds)
	cases := []struct {
		name, action string
		query        map[string]string
		code         string
		mention      string
	}{
		{"results without an image", actionDescribeImageBaselineCheckResult, map[string]string{}, "MissingParameter", "ImageUuid"},
		{"items without an image", actionDescribeImageBaselineItemList, map[string]string{}, "MissingParameter", "ImageUuid"},
		{"unknown level", actionDescribeImageBaselineCheckResult, map[string]string{"ImageUuid": "u-1", "RiskLevel": "high,critical"}, "InvalidParameter", "RiskLevel"},
		{"empty level in a list", actionDescribeImageBaselineCheckResult, map[string]string{"ImageUuid": "u-1", "RiskLevel": "high,"}, "InvalidParameter", "RiskLevel"},
		{"unknown criteria type", actionDescribeImageBaselineCheckResult, map[string]string{"ImageUuid": "u-1", "CriteriaType": "Name"}, "InvalidParameter", "CriteriaType"},
		{"unknown language", actionDescribeImageBaselineCheckResult, map[string]string{"ImageUuid": "u-1", "Lang": "fr"}, "InvalidParameter", "Lang"},
		{"zero page size", actionDescribeImageBaselineCheckResult, map[string]string{"ImageUuid": "u-1", "PageSize": "0"}, "InvalidParameter", "PageSize"},
		{"unknown item status", actionDescribeImageBaselineItemList, map[string]string{"ImageUuid": "u-1", "Status": "4"}, "InvalidParameter", "Status"},
		{"item status a word", actionDescribeImageBaselineItemList, map[string]string{"ImageUuid": "u-1", "Status": "unfixed"}, "InvalidParameter", "Status"},
		{"zero page", actionDescribeImageBaselineItemList, map[string]string{"ImageUuid": "u-1", "CurrentPage": "0"}, "InvalidParameter", "CurrentPage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call(client, tc.action, tc.query)
			wantSDKError(t, err, tc.code, 400)
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q does not mention %s", err, tc.mention)
			}
		})
	}
}

// Signatures, denials and faults apply to the baseline operations as to
// every other.
func TestBaselineOperationsAreAuthenticatedAndFaultable(t *testing.T) {
	s := startServer(t, Options{Images: []Image{scannedImage("u-1", 5)}, Credentials: map[string]Credential{
		TestAccessKey: {Secret: TestSecretKey},
		"AK-denied":   {Secret: "s-denied", Denied: true},
	}})
	query := map[string]string{"ImageUuid": "u-1"}
	for _, action := range []string{actionDescribeImageBaselineCheckResult, actionDescribeImageBaselineItemList} {
		t.Run(action, func(t *testing.T) {
			_, err := call(newClient(t, s, creds{ak: TestAccessKey, secret: "wrong"}), action, query)
			wantSDKError(t, err, "SignatureDoesNotMatch", 400)
			_, err = call(newClient(t, s, creds{ak: "AK-denied", secret: "s-denied"}), action, query)
			wantSDKError(t, err, "NoPermission", 403)

			client := newClient(t, s, defaultCreds)
			s.SetFaults(Fault{Kind: FaultThrottling, Action: action, Count: 1})
			_, err = call(client, action, query)
			wantSDKError(t, err, "Throttling.User", 400)
			mustCall(t, client, action, query)
			s.SetFaults(Fault{Kind: FaultNoPermission, Action: "DescribeImageInstances"})
			mustCall(t, client, action, query)
			s.SetFaults()
		})
	}
}
