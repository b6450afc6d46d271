package provider

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// Every data source, every way a listing can go wrong: a listing whose
// count changes between pages is a warning everywhere; a listing that
// ends short of what the service counted (also when counted again) is a
// warning for the inventory and an error for risk data, so that no gate
// passes on part of the risks. A new data source that lists is one more
// row.

// countInflater serves a fake's answers with the TotalCount of one action
// changed by delta: on every page (raised, the listing comes up short, and
// counting again agrees), or only on pages after the first (the count
// changes during the read).
type countInflater struct {
	next      http.Handler
	action    string
	laterOnly bool
	delta     int
}

var totalCountField = regexp.MustCompile(`"TotalCount":\s*"?(\d+)"?`)

func (c countInflater) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.serveWith(w, r, func(n int) int { return n + c.delta })
}

// serveWith serves the answer with its TotalCount n made count(n).
func (c countInflater) serveWith(w http.ResponseWriter, r *http.Request, count func(n int) int) {
	page := r.URL.Query().Get("CurrentPage")
	if r.Header.Get("x-acs-action") != c.action || (c.laterOnly && (page == "" || page == "1")) {
		c.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	body := totalCountField.ReplaceAllFunc(rec.Body.Bytes(), func(m []byte) []byte {
		n, _ := strconv.Atoi(string(totalCountField.FindSubmatch(m)[1]))
		return []byte(`"TotalCount":` + strconv.Itoa(count(n)))
	})
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func TestListingRules_everyDataSource(t *testing.T) {
	images := fakesas.DemoImages(time.Now())
	vulnerable := fakesas.DemoUUIDPaymentsVulnerable
	withBaselines := imageWithBaselines(t, images, 3)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	yes := tftypes.NewValue(tftypes.Bool, true)
	cases := []struct {
		dataSource string
		action     string
		config     map[string]tftypes.Value
		// short is what a listing that comes up short gives: an error
		// with this summary, or (inventory) a warning.
		shortError string
		// onePage: the read asks for one page only, so no count can change.
		onePage bool
	}{
		{"sas_image_instances", sasapi.ActionDescribeImageInstances, nil, "", false},
		{"sas_image_instance", sasapi.ActionDescribeImageInstances,
			map[string]tftypes.Value{"repo_name": str("payments-api"), "tag": str("1.4.2")}, "Too many Security Center images to look up one", true},
		{"sas_image_vulnerabilities", sasapi.ActionDescribeImageVulList,
			map[string]tftypes.Value{"image_uuids": stringValues(tftypes.List{ElementType: tftypes.String}, vulnerable)}, "Incomplete Security Center listing of vulnerability rows", false},
		{"sas_image_baselines", sasapi.ActionDescribeImageBaselineCheckResult,
			map[string]tftypes.Value{"image_uuid": str(withBaselines)}, "Incomplete Security Center listing of baselines", false},
		{"sas_image_baselines", sasapi.ActionDescribeImageBaselineItemList,
			map[string]tftypes.Value{"image_uuid": str(withBaselines), "with_items": yes}, "Incomplete Security Center listing of check items", false},
	}
	for _, tc := range cases {
		for _, change := range []struct {
			name      string
			laterOnly bool
			delta     int
		}{{"short", false, 10}, {"count rose", true, 10}, {"count fell", true, -1}} {
			if change.laterOnly && tc.onePage {
				continue
			}
			t.Run(tc.dataSource+"/"+tc.action+"/"+change.name, func(t *testing.T) {
				// Pages of two records, so that a listing has later pages.
				fake := fakesas.New(fakesas.Options{Images: images, MaxPageSize: 2})
				server := httptest.NewServer(countInflater{next: fake, action: tc.action, laterOnly: change.laterOnly, delta: change.delta})
				t.Cleanup(server.Close)
				diags, _ := readDirect(t, dataSourceNamed(t, tc.dataSource), strings.TrimPrefix(server.URL, "http://"), 4, tc.config)
				inventory := tc.shortError == "" || tc.onePage
				switch {
				case change.name == "count rose", change.name == "count fell" && inventory:
					requireOnlyWarning(t, diags, "changed during the read")
				case change.name == "count fell":
					requireError(t, diags, tc.shortError)
				case tc.shortError == "":
					requireOnlyWarning(t, diags, "the result may be incomplete")
				default:
					requireError(t, diags, tc.shortError)
				}
			})
		}
	}
}

// dataSourceNamed is the provider's data source of that type name.
func dataSourceNamed(t *testing.T, typeName string) datasource.DataSource {
	t.Helper()
	for _, newDataSource := range New("test")().DataSources(t.Context()) {
		ds := newDataSource()
		var meta datasource.MetadataResponse
		ds.Metadata(t.Context(), datasource.MetadataRequest{ProviderTypeName: "sas"}, &meta)
		if meta.TypeName == typeName {
			return ds
		}
	}
	t.Fatalf("no data source %s", typeName)
	return nil
}

func requireOnlyWarning(t *testing.T, diags diag.Diagnostics, fragment string) {
	t.Helper()
	if diags.HasError() {
		t.Fatalf("errors %v, want only a warning containing %q", diags.Errors(), fragment)
	}
	requireWarning(t, diags, fragment)
}

func requireError(t *testing.T, diags diag.Diagnostics, summary string) {
	t.Helper()
	for _, d := range diags.Errors() {
		if strings.Contains(d.Summary(), summary) {
			if strings.Contains(d.Detail(), "Request id") || strings.Contains(d.Summary(), "Too many") {
				return
			}
			t.Fatalf("error %q names no request id:\n%s", d.Summary(), d.Detail())
		}
	}
	t.Fatalf("no error %q in %v", summary, diags)
}

// imageWithBaselines is the uuid of the first image with at least n
// baselines, each with more than one check item: enough for two pages of
// two records.
func imageWithBaselines(t *testing.T, images []fakesas.Image, n int) string {
	t.Helper()
	for _, img := range images {
		baselines := fakesas.ImageBaselines(img)
		if len(baselines) < n {
			continue
		}
		enough := true
		for _, b := range baselines {
			enough = enough && len(b.Items) > 2
		}
		if enough {
			return field(img, "Uuid")
		}
	}
	t.Fatalf("no image with %d baselines of several check items", n)
	return ""
}

// A service that reports far fewer records than its pages hold: the
// listing follows the pages a bounded way beyond the count and stops while
// they are still full. The inventory warns that the result may be
// incomplete; a risk listing fails.
func TestListingRules_pagesThatGoOnBeyondTheCount(t *testing.T) {
	images := fakesas.DemoImages(time.Now())
	// The image with the most rows: pages of two go on long past a count of 1.
	most, rows, data := "", 0, fakesas.New(fakesas.Options{Images: images})
	for _, img := range images {
		if n := len(data.VulnerabilityRows(field(img, "Uuid"))); n > rows {
			most, rows = field(img, "Uuid"), n
		}
	}
	if rows < 40 {
		t.Fatalf("no demo image has enough vulnerability rows (%d at most)", rows)
	}
	cases := []struct {
		dataSource, action string
		config             map[string]tftypes.Value
		err                string // "": a warning
	}{
		{"sas_image_instances", sasapi.ActionDescribeImageInstances, nil, ""},
		{"sas_image_vulnerabilities", sasapi.ActionDescribeImageVulList, map[string]tftypes.Value{
			"image_uuids": stringValues(tftypes.List{ElementType: tftypes.String}, most)}, "Incomplete Security Center listing of vulnerability rows"},
	}
	for _, tc := range cases {
		t.Run(tc.dataSource, func(t *testing.T) {
			fake := fakesas.New(fakesas.Options{Images: images, MaxPageSize: 2})
			understated := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				countInflater{next: fake, action: tc.action, delta: 0}.serveWith(w, r, func(int) int { return 1 })
			})
			server := httptest.NewServer(understated)
			t.Cleanup(server.Close)
			diags, _ := readDirect(t, dataSourceNamed(t, tc.dataSource), strings.TrimPrefix(server.URL, "http://"), 4, tc.config)
			if tc.err == "" {
				requireOnlyWarning(t, diags, "its pages were still full when the read stopped")
				return
			}
			requireError(t, diags, tc.err)
		})
	}
}
