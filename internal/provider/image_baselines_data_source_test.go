package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

const baselinesAddr = "data.sas_image_baselines.test"

// baselineImage finds an image whose derived baselines hold every case the
// tests tell apart: all three levels in different numbers, fixed and
// unfixed baselines, a fixed one with high-risk items, every item status,
// whitelisted and not.
func baselineImage(t *testing.T) (fakesas.Image, []fakesas.Baseline) {
	t.Helper()
	for k := range 500 {
		image := img(fmt.Sprintf("u-baselines-%03d", k), "payments-api", fmt.Sprintf("2.%d.0", k),
			fakesas.Image{"HcCount": 40, "HcStatus": "YES", "RiskStatus": "YES"})
		baselines := fakesas.ImageBaselines(image)
		levels := map[string]int{}
		seen := map[string]bool{}
		for _, b := range baselines {
			levels[b.Level]++
			seen[fmt.Sprint("status ", b.Status)] = true
			if b.Status == fakesas.BaselineStatusFixed && b.HighRiskItems > 0 {
				seen["fixed with high-risk items"] = true
			}
			for _, item := range b.Items {
				seen[fmt.Sprint("item status ", item.Status)] = true
				seen[fmt.Sprint("whitelisted ", item.Whitelisted)] = true
			}
		}
		distinct := levels["high"] > 0 && levels["medium"] > 0 && levels["low"] > 0 &&
			levels["high"] != levels["medium"] && levels["medium"] != levels["low"] && levels["high"] != levels["low"]
		if distinct && len(seen) == 9 {
			return image, baselines
		}
	}
	t.Fatal("no image in the fake's derivation covers every baseline case")
	return nil, nil
}

// rfc3339 is a millisecond time as the provider renders it.
func rfc3339(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// The documented meaning of each code, written out independently of the
// provider's tables.
var (
	wantBaselineStatus = map[int]string{0: "unfixed", 1: "fixed"}
	wantItemStatus     = map[int]string{0: "unfixed", 1: "fixed", 2: "pending_verification", 3: "fix_failed"}
)

// expectBaselines is the exact value of `baselines` for the fake's
// baselines, names in lang, with items or null items.
func expectBaselines(baselines []fakesas.Baseline, lang string, withItems bool) knownvalue.Check {
	list := []knownvalue.Check{}
	for _, b := range baselines {
		var items knownvalue.Check = knownvalue.Null()
		if withItems {
			checks := []knownvalue.Check{}
			for _, item := range b.Items {
				checks = append(checks, knownvalue.ObjectExact(map[string]knownvalue.Check{
					"key":         knownvalue.StringExact(item.Key),
					"name":        knownvalue.StringExact(item.Name.In(lang)),
					"class_key":   knownvalue.StringExact(b.ClassKey),
					"class_name":  knownvalue.StringExact(b.ClassName.In(lang)),
					"status":      knownvalue.StringExact(wantItemStatus[item.Status]),
					"whitelisted": knownvalue.Bool(item.Whitelisted),
				}))
			}
			items = knownvalue.ListExact(checks)
		}
		list = append(list, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"key":               knownvalue.StringExact(b.Key),
			"name":              knownvalue.StringExact(b.Name.In(lang)),
			"class":             knownvalue.StringExact(b.ClassKey),
			"level":             knownvalue.StringExact(b.Level),
			"item_count":        knownvalue.Int64Exact(int64(b.ItemCount)),
			"high_risk_items":   knownvalue.Int64Exact(int64(b.HighRiskItems)),
			"medium_risk_items": knownvalue.Int64Exact(int64(b.MediumRiskItems)),
			"low_risk_items":    knownvalue.Int64Exact(int64(b.LowRiskItems)),
			"status":            knownvalue.StringExact(wantBaselineStatus[b.Status]),
			"first_scanned_at":  knownvalue.StringExact(rfc3339(b.FirstScanTime)),
			"last_scanned_at":   knownvalue.StringExact(rfc3339(b.LastScanTime)),
			"items":             items,
		}))
	}
	return knownvalue.ListExact(list)
}

// expectBaselineSummary is the exact value of `summary`, counted here from
// the fake's baselines as the documentation defines each count.
func expectBaselineSummary(baselines []fakesas.Baseline) knownvalue.Check {
	var unfixed, high, medium, low, highItems, unfixedHighItems int64
	for _, b := range baselines {
		if b.Status == fakesas.BaselineStatusUnfixed {
			unfixed++
			unfixedHighItems += int64(b.HighRiskItems)
		}
		switch b.Level {
		case "high":
			high++
		case "medium":
			medium++
		case "low":
			low++
		}
		highItems += int64(b.HighRiskItems)
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"baselines":               knownvalue.Int64Exact(int64(len(baselines))),
		"unfixed":                 knownvalue.Int64Exact(unfixed),
		"high":                    knownvalue.Int64Exact(high),
		"medium":                  knownvalue.Int64Exact(medium),
		"low":                     knownvalue.Int64Exact(low),
		"high_risk_items":         knownvalue.Int64Exact(highItems),
		"unfixed_high_risk_items": knownvalue.Int64Exact(unfixedHighItems),
	})
}

func pagesOf(n, pageSize int) int {
	return max(1, (n+pageSize-1)/pageSize)
}

// requireBaselineCallsPerRead checks every read of the data source made
// exactly the given requests: a read starts with page 1 of the check
// results, and Terraform reads a data source several times per step.
func requireBaselineCallsPerRead(t *testing.T, fake *fakesas.Server, resultPages, itemPages int) {
	t.Helper()
	reads, results, items := 0, 0, 0
	for _, r := range fake.Requests() {
		switch r.Action {
		case sasapi.ActionDescribeImageBaselineCheckResult:
			results++
			if r.Query.Get("CurrentPage") == "1" {
				reads++
			}
		case sasapi.ActionDescribeImageBaselineItemList:
			items++
		default:
			t.Errorf("unexpected %s request", r.Action)
		}
	}
	if reads == 0 {
		t.Fatal("the fake saw no read")
	}
	if results != reads*resultPages || items != reads*itemPages {
		t.Fatalf("%d reads made %d check result and %d check item requests; want %d and %d per read",
			reads, results, items, resultPages, itemPages)
	}
}

func baselinesConfig(fake *fakesas.Server, args string) string {
	return providerConfig(fake) + "data \"sas_image_baselines\" \"test\" {\n" + args + "\n}\n"
}

// Every attribute of every baseline, the summary and the exact requests,
// through a server page cap, with and without items.
func TestAccImageBaselines_everyAttributeAndExactCalls(t *testing.T) {
	image, baselines := baselineImage(t)
	const pageCap = 2
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{image, img("u-other", "other", "1", fakesas.Image{"HcCount": 9})}, MaxPageSize: pageCap})
	uuid := fmt.Sprint(image["Uuid"])
	itemPages := 0
	for _, b := range baselines {
		itemPages += pagesOf(len(b.Items), pageCap)
	}
	t.Logf("image %s: %d baselines; per read %d check result pages, and %d check item pages with items", uuid, len(baselines), pagesOf(len(baselines), pageCap), itemPages)

	for _, tc := range []struct {
		name      string
		args      string
		withItems bool
		itemPages int
	}{
		{"without items", "image_uuid = " + hcl(uuid), false, 0},
		{"with_items false", "image_uuid = " + hcl(uuid) + "\nwith_items = false", false, 0},
		{"with items", "image_uuid = " + hcl(uuid) + "\nwith_items = true", true, itemPages},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetCounters()
			accTest(t, resource.TestStep{
				Config: baselinesConfig(fake, tc.args),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(baselinesAddr, tfjsonpath.New("baselines"), expectBaselines(baselines, "en", tc.withItems)),
					statecheck.ExpectKnownValue(baselinesAddr, tfjsonpath.New("summary"), expectBaselineSummary(baselines)),
				},
			})
			requireBaselineCallsPerRead(t, fake, pagesOf(len(baselines), pageCap), tc.itemPages)
			for _, r := range fake.Requests() {
				// The first page asks for the most; later ones for what the cap served.
				wantSize := fmt.Sprint(pageCap)
				if r.Query.Get("CurrentPage") == "1" {
					wantSize = "100"
				}
				if r.Query.Get("ImageUuid") != uuid || r.Query.Get("Lang") != "en" || r.Query.Get("PageSize") != wantSize {
					t.Fatalf("%s request with ImageUuid %q, Lang %q, PageSize %q", r.Action, r.Query.Get("ImageUuid"), r.Query.Get("Lang"), r.Query.Get("PageSize"))
				}
				if r.Action == sasapi.ActionDescribeImageBaselineItemList && r.Query.Get("BaselineNameKey") == "" {
					t.Fatalf("a check item request without BaselineNameKey: %v", r.Query)
				}
			}
		})
	}
}

// The filters reach the service as it documents them and select what the
// fake's dataset says they select; names come in the language asked for.
func TestAccImageBaselines_filtersAndLanguage(t *testing.T) {
	image, baselines := baselineImage(t)
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{image}})
	uuid := hcl(fmt.Sprint(image["Uuid"]))
	keep := func(f func(fakesas.Baseline) bool) []fakesas.Baseline {
		var out []fakesas.Baseline
		for _, b := range baselines {
			if f(b) {
				out = append(out, b)
			}
		}
		return out
	}
	class := baselines[len(baselines)-1].ClassKey
	cases := []struct {
		name  string
		args  string
		query map[string]string
		want  []fakesas.Baseline
		lang  string
	}{
		{"levels, sent comma-separated", "risk_levels = [\"low\", \"high\"]", map[string]string{"RiskLevel": "high,low"},
			keep(func(b fakesas.Baseline) bool { return b.Level != "medium" }), "en"},
		{"one level", "risk_levels = [\"medium\"]", map[string]string{"RiskLevel": "medium"},
			keep(func(b fakesas.Baseline) bool { return b.Level == "medium" }), "en"},
		{"class", "baseline_class = " + hcl(class), map[string]string{"Criteria": class, "CriteriaType": "BaselineClassAlias"},
			keep(func(b fakesas.Baseline) bool { return b.ClassKey == class }), "en"},
		{"name", "baseline_name = \"password\"", map[string]string{"Criteria": "password", "CriteriaType": "BaselineNameAlias"},
			keep(func(b fakesas.Baseline) bool { return strings.Contains(strings.ToLower(b.Name.En), "password") }), "en"},
		{"Chinese", "lang = \"zh\"\nwith_items = true", map[string]string{"Lang": "zh"}, baselines, "zh"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetCounters()
			accTest(t, resource.TestStep{
				Config: baselinesConfig(fake, "image_uuid = "+uuid+"\n"+tc.args),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(baselinesAddr, tfjsonpath.New("baselines"), expectBaselines(tc.want, tc.lang, strings.Contains(tc.args, "with_items"))),
					statecheck.ExpectKnownValue(baselinesAddr, tfjsonpath.New("summary"), expectBaselineSummary(tc.want)),
				},
			})
			for _, r := range fake.Requests() {
				for k, v := range tc.query {
					if r.Action == sasapi.ActionDescribeImageBaselineItemList && k != "Lang" {
						continue
					}
					if r.Query.Get(k) != v {
						t.Fatalf("%s: %s = %q, want %q", r.Action, k, r.Query.Get(k), v)
					}
				}
			}
		})
	}
}

// An image never scanned has no baselines: the result is empty, not an
// error, and the summary says zero. Gates must check the scan state.
func TestAccImageBaselines_unscannedImageHasNone(t *testing.T) {
	image := img("u-new", "checkout-web", "2.0.0", fakesas.Image{"ScaStatus": "INIT", "LastScanTime": int64(0), "HcCount": 4})
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{image}})
	accTest(t, resource.TestStep{
		Config: baselinesConfig(fake, "image_uuid = \"u-new\"\nwith_items = true"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(baselinesAddr, tfjsonpath.New("baselines"), knownvalue.ListExact([]knownvalue.Check{})),
			statecheck.ExpectKnownValue(baselinesAddr, tfjsonpath.New("summary"), expectBaselineSummary(nil)),
		},
	})
	requireBaselineCallsPerRead(t, fake, 1, 0)
}

// Bad input fails at plan time, naming the attribute, before any request.
func TestAccImageBaselines_badInputFailsAtPlanTime(t *testing.T) {
	fake := startFake(t, fakesas.Options{})
	cases := []struct {
		name, args string
		err        *regexp.Regexp
	}{
		{"empty image_uuid", `image_uuid = ""`, errorMatching(`Attribute image_uuid must be an image uuid, without commas or spaces`)},
		{"image_uuid with a space", `image_uuid = "u 1"`, errorMatching(`Attribute image_uuid must be an image uuid, without commas or spaces`)},
		{"missing image_uuid", `with_items = true`, errorMatching(`The argument "image_uuid" is required`)},
		{"unknown level", "image_uuid = \"u\"\nrisk_levels = [\"high\", \"critical\"]",
			errorMatching(`Attribute risk_levels[Value("critical")] value must be one of: ["high" "medium" "low"]`)},
		{"empty level set", "image_uuid = \"u\"\nrisk_levels = []", errorMatching(`Attribute risk_levels set must contain at least 1 elements`)},
		{"class and name", "image_uuid = \"u\"\nbaseline_class = \"ak_leak\"\nbaseline_name = \"ssh\"",
			errorMatching(`Attribute "baseline_name" cannot be specified when "baseline_class" is specified`)},
		{"empty class", "image_uuid = \"u\"\nbaseline_class = \"\"", errorMatching(`Attribute baseline_class string length must be at least 1`)},
		{"empty name", "image_uuid = \"u\"\nbaseline_name = \"\"", errorMatching(`Attribute baseline_name string length must be at least 1`)},
		{"unknown language", "image_uuid = \"u\"\nlang = \"fr\"", errorMatching(`Attribute lang value must be one of: ["en" "zh"]`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			accTest(t, resource.TestStep{Config: baselinesConfig(fake, tc.args), ExpectError: tc.err, PlanOnly: true})
		})
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("bad input reached the service: %d requests", n)
	}
}

// A missing permission names the RAM action of the operation that was
// refused, with the service's code and request id.
func TestAccImageBaselines_missingPermissionNamesTheRAMAction(t *testing.T) {
	image, _ := baselineImage(t)
	uuid := hcl(fmt.Sprint(image["Uuid"]))
	for _, action := range []string{sasapi.ActionDescribeImageBaselineCheckResult, sasapi.ActionDescribeImageBaselineItemList} {
		t.Run(action, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: []fakesas.Image{image}})
			fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: action})
			accTest(t, resource.TestStep{
				Config:      baselinesConfig(fake, "image_uuid = "+uuid+"\nwith_items = true"),
				ExpectError: errorMatching("NoPermission", "Request id:", "yundun-sas:"+action),
			})
		})
	}
}

// Several baselines read their items concurrently within the provider's
// max_concurrency, and the result is the same at every setting.
func TestAccImageBaselines_itemsUnderMaxConcurrency(t *testing.T) {
	image, baselines := baselineImage(t)
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{image}, MaxPageSize: 1})
	itemPages := 0
	for _, b := range baselines {
		itemPages += pagesOf(len(b.Items), 1)
	}
	for _, concurrency := range []int{1, 3} {
		t.Run(fmt.Sprint("max_concurrency ", concurrency), func(t *testing.T) {
			fake.ResetCounters()
			accTest(t, resource.TestStep{
				Config: providerConfig(fake, fmt.Sprintf("max_concurrency = %d", concurrency)) +
					"data \"sas_image_baselines\" \"test\" {\n image_uuid = " + hcl(fmt.Sprint(image["Uuid"])) + "\n with_items = true\n}\n",
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(baselinesAddr, tfjsonpath.New("baselines"), expectBaselines(baselines, "en", true)),
				},
			})
			requireBaselineCallsPerRead(t, fake, len(baselines), itemPages)
		})
	}
}

// Codes the service does not document, or does not send, read as unfixed;
// a missing whitelist flag as not whitelisted; a level in another case is
// lower-cased; missing counts and times are null.
func TestFlattenBaselinesFailsClosed(t *testing.T) {
	results := []sasapi.BaselineResult{
		{BaselineNameKey: sasapi.String{Value: "k1", Valid: true}, BaselineNameLevel: sasapi.String{Value: " High", Valid: true}, Status: sasapi.Int{Value: 7, Valid: true}},
		{BaselineNameKey: sasapi.String{Value: "k2", Valid: true}},
		{BaselineNameKey: sasapi.String{Value: "k3", Valid: true}, Status: sasapi.Int{Value: 1, Valid: true}, LastScanTime: sasapi.Int{Value: 0, Valid: true}},
	}
	items := map[string][]sasapi.BaselineItem{
		"k1": {{Status: sasapi.Int{Value: 9, Valid: true}}, {}, {Status: sasapi.Int{Value: 2, Valid: true}, WhiteList: sasapi.Int{Value: 1, Valid: true}}},
	}
	got := flattenBaselines(results, items)
	if s := []string{got[0].Status.ValueString(), got[1].Status.ValueString(), got[2].Status.ValueString()}; !slices.Equal(s, []string{"unfixed", "unfixed", "fixed"}) {
		t.Errorf("statuses %q, want unfixed for code 7 and for none, fixed for 1", s)
	}
	if got[0].Level.ValueString() != "high" || !got[1].Level.IsNull() {
		t.Errorf("levels %v, %v; want high and null", got[0].Level, got[1].Level)
	}
	if !got[1].HighRiskItems.IsNull() || !got[1].ItemCount.IsNull() || !got[1].FirstScannedAt.IsNull() || !got[2].LastScannedAt.IsNull() {
		t.Errorf("missing counts or times are not null: %+v, %+v", got[1], got[2])
	}
	if got[1].Items != nil || got[2].Items != nil {
		t.Error("baselines without listed items have items")
	}
	flat := got[0].Items
	want := []struct {
		status      string
		whitelisted bool
	}{{"unfixed", false}, {"unfixed", false}, {"pending_verification", true}}
	for k, w := range want {
		if flat[k].Status.ValueString() != w.status || flat[k].Whitelisted.ValueBool() != w.whitelisted || flat[k].Whitelisted.IsNull() {
			t.Errorf("item %d: status %v, whitelisted %v; want %s, %v", k, flat[k].Status, flat[k].Whitelisted, w.status, w.whitelisted)
		}
	}
	if s := baselineSummary.of(got, nil).Attributes()["unfixed"]; s.String() != "2" {
		t.Errorf("summary.unfixed = %s, want 2 (an unknown code counts as unfixed)", s)
	}
}
