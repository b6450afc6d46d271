package sasapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The example holds one result in the documented shape and one with every
// quirk: counts, status and page fields as numeric strings, an empty time.
func TestDecodeImageBaselineCheckResultExample(t *testing.T) {
	body := readTestdata(t, "describe-image-baseline-check-result-example.json")
	resp, err := jsonBody[DescribeImageBaselineCheckResultResponse](body)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	wantInfo := PageInfo{CurrentPage: Int{1, true}, PageSize: Int{20, true}, TotalCount: Int{2, true}, Count: Int{2, true}}
	if resp.PageInfo == nil || *resp.PageInfo != wantInfo {
		t.Fatalf("PageInfo %+v, want %+v", resp.PageInfo, wantInfo)
	}
	page, err := DescribeImageBaselineCheckResult.Read(body)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if page.RequestID != "7E0618A9-D5EF-4220-9471-C42B5E92719F" || page.TotalCount != (Int{2, true}) || page.PageSize != (Int{20, true}) {
		t.Fatalf("page %+v: want the answer's request id, TotalCount 2 and PageSize 20", page)
	}
	want := []BaselineResult{
		{
			BaselineNameKey: String{"hc_image_ak_leak", true}, BaselineNameAlias: String{"AccessKey leak in image files", true},
			BaselineClassAlias: String{"identification", true}, BaselineNameLevel: String{"high", true},
			BaselineItemCount: Int{5, true}, HighRiskItemCount: Int{2, true}, MiddleRiskItemCount: Int{1, true}, LowRiskItemCount: Int{0, true},
			Status: Int{BaselineStatusUnfixed, true}, FirstScanTime: Int{1649692800000, true}, LastScanTime: Int{1721363159000, true},
		},
		{
			BaselineNameKey: String{"hc_image_dockerfile_root", true}, BaselineNameAlias: String{"Container runs as root", true},
			BaselineClassAlias: String{"dockerfile", true}, BaselineNameLevel: String{"medium", true},
			BaselineItemCount: Int{3, true}, HighRiskItemCount: Int{0, true}, MiddleRiskItemCount: Int{2, true}, LowRiskItemCount: Int{1, true},
			Status: Int{BaselineStatusFixed, true}, FirstScanTime: Int{1649692800000, true}, LastScanTime: Int{},
		},
	}
	if !reflect.DeepEqual(page.Items, want) {
		t.Errorf("BaselineResult =\n%+v\nwant\n%+v", page.Items, want)
	}
}

// Status is a number in the response; WhiteList is 0/1, as a number or a
// string; unknown fields are ignored.
func TestDecodeImageBaselineItemListExample(t *testing.T) {
	page, err := DescribeImageBaselineItemList.Read(readTestdata(t, "describe-image-baseline-item-list-example.json"))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if page.RequestID != "B1C2D3E4-F5A6-4B7C-8D9E-0F1A2B3C4D5E" || page.TotalCount != (Int{3, true}) || page.PageSize != (Int{100, true}) {
		t.Fatalf("page %+v: want the answer's request id, TotalCount 3 and PageSize 100", page)
	}
	item := func(key, alias string, status, whiteList int64) BaselineItem {
		return BaselineItem{
			BaselineItemKey: String{key, true}, BaselineItemAlias: String{alias, true},
			BaselineNameKey: String{"hc_image_ak_leak", true}, BaselineNameAlias: String{"AccessKey leak in image files", true},
			BaselineClassKey: String{"ak_leak", true}, BaselineClassAlias: String{"identification", true},
			Status: Int{status, true}, WhiteList: Int{whiteList, true},
		}
	}
	want := []BaselineItem{
		item("hc_image_ak_leak.config_file", "AccessKey in /app/config/application.yml", BaselineItemStatusUnfixed, 0),
		item("hc_image_ak_leak.env_file", "AccessKey in /app/.env", BaselineItemStatusFixFailed, 1),
		item("hc_image_ak_leak.shell_history", "AccessKey in /root/.bash_history", BaselineItemStatusPendingVerification, 1),
	}
	if !reflect.DeepEqual(page.Items, want) {
		t.Errorf("BaselineItemInfos =\n%+v\nwant\n%+v", page.Items, want)
	}
}

// Every scalar of both operations takes the forms the service is loose
// about, and a missing field stays unknown.
func TestDecodeBaselineScalarForms(t *testing.T) {
	cases := []struct {
		name, raw string
		want      BaselineResult
		wantErr   bool
	}{
		{name: "count as a number", raw: `{"HighRiskItemCount":3}`, want: BaselineResult{HighRiskItemCount: Int{3, true}}},
		{name: "count as a string", raw: `{"MiddleRiskItemCount":"3"}`, want: BaselineResult{MiddleRiskItemCount: Int{3, true}}},
		{name: "count as an integral float", raw: `{"LowRiskItemCount":3.0}`, want: BaselineResult{LowRiskItemCount: Int{3, true}}},
		{name: "count null", raw: `{"BaselineItemCount":null}`, want: BaselineResult{}},
		{name: "count empty string", raw: `{"BaselineItemCount":""}`, want: BaselineResult{}},
		{name: "status as a number", raw: `{"Status":1}`, want: BaselineResult{Status: Int{1, true}}},
		{name: "status as a string", raw: `{"Status":"0"}`, want: BaselineResult{Status: Int{0, true}}},
		{name: "time in milliseconds", raw: `{"LastScanTime":1721363159000}`, want: BaselineResult{LastScanTime: Int{1721363159000, true}}},
		{name: "time as a string", raw: `{"FirstScanTime":"1721363159000"}`, want: BaselineResult{FirstScanTime: Int{1721363159000, true}}},
		{name: "level as written", raw: `{"BaselineNameLevel":"High"}`, want: BaselineResult{BaselineNameLevel: String{"High", true}}},
		{name: "everything missing", raw: `{}`, want: BaselineResult{}},
		{name: "count not a number", raw: `{"HighRiskItemCount":"many"}`, wantErr: true},
		{name: "fractional count", raw: `{"HighRiskItemCount":1.5}`, wantErr: true},
		{name: "status a boolean", raw: `{"Status":true}`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[BaselineResult](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decode %s = %+v, %v; want %+v", tc.raw, got, err, tc.want)
			}
		})
	}
}

func TestBaselineItemWhitelisted(t *testing.T) {
	cases := []struct {
		raw  string
		want Bool
	}{
		{`{"WhiteList":1}`, Bool{true, true}},
		{`{"WhiteList":"1"}`, Bool{true, true}},
		{`{"WhiteList":0}`, Bool{false, true}},
		{`{"WhiteList":"0"}`, Bool{false, true}},
		{`{"WhiteList":2}`, Bool{false, true}}, // undocumented: not whitelisted
		{`{"WhiteList":null}`, Bool{}},
		{`{}`, Bool{}},
	}
	for _, tc := range cases {
		item, err := decodeField[BaselineItem](tc.raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		if got := item.Whitelisted(); got != tc.want {
			t.Errorf("%s: Whitelisted() = %+v, want %+v", tc.raw, got, tc.want)
		}
	}
	if _, err := decodeField[BaselineItem](`{"Status":"fixed"}`); err == nil {
		t.Error("a Status that is not a number decoded without error")
	}
}

// A 200 body without PageInfo.TotalCount is not "no baselines": the listing
// fails with a DecodeError, retried when the body may be a gateway's empty
// answer, never read as an empty list.
func TestBaselineListingsRejectNonAnswers(t *testing.T) {
	lists := map[string]func(c *Client) (int, error){
		ActionDescribeImageBaselineCheckResult: func(c *Client) (int, error) {
			l, err := List(context.Background(), c, DescribeImageBaselineCheckResult, ImageBaselineQuery{ImageUuid: "u"}, ListOptions{})
			return countOf(l), err
		},
		ActionDescribeImageBaselineItemList: func(c *Client) (int, error) {
			l, err := List(context.Background(), c, DescribeImageBaselineItemList, ImageBaselineItemQuery{ImageUuid: "u"}, ListOptions{})
			return countOf(l), err
		},
	}
	cases := []struct {
		name, body string
		retryable  bool
	}{
		{"empty body", ``, true},
		{"empty object", `{}`, true},
		{"null", `null`, true},
		{"PageInfo without TotalCount", `{"RequestId":"R","PageInfo":{"CurrentPage":1}}`, true},
		{"null PageInfo", `{"RequestId":"R","PageInfo":null}`, true},
		{"TotalCount at the top level", `{"TotalCount":3}`, true},
		{"truncated", `{"PageInfo":{"TotalCount":1},"BaselineResult":[{"Status":`, true},
		{"negative TotalCount", `{"PageInfo":{"TotalCount":-1}}`, false},
		{"TotalCount not a number", `{"PageInfo":{"TotalCount":"many"}}`, false},
		{"array", `[]`, false},
		{"PageInfo an array", `{"PageInfo":[]}`, false},
	}
	for action, list := range lists {
		for _, tc := range cases {
			t.Run(action+"/"+tc.name, func(t *testing.T) { checkListingRejects(t, tc.body, tc.retryable, list) })
		}
	}
}

// countOf is the number of records of a listing, -1 for none.
func countOf[T any](l *Listing[T]) int {
	if l == nil {
		return -1
	}
	return len(l.Items)
}

func TestImageBaselineQueriesReachTheService(t *testing.T) {
	cases := []struct {
		name string
		list func(c *Client) error
		want map[string]string
	}{
		{
			name: "results, only the image",
			list: func(c *Client) error {
				_, err := List(context.Background(), c, DescribeImageBaselineCheckResult, ImageBaselineQuery{ImageUuid: "u-1"}, ListOptions{PageSize: 50})
				return err
			},
			want: map[string]string{"ImageUuid": "u-1", "CurrentPage": "1", "PageSize": "50"},
		},
		{
			name: "results, every filter",
			list: func(c *Client) error {
				_, err := List(context.Background(), c, DescribeImageBaselineCheckResult, ImageBaselineQuery{
					ImageUuid: "u-1", RiskLevels: []string{"high", "low"}, Criteria: "ak_leak", CriteriaType: BaselineCriteriaClass, Lang: "en",
				}, ListOptions{PageSize: 50})
				return err
			},
			want: map[string]string{"ImageUuid": "u-1", "RiskLevel": "high,low", "Criteria": "ak_leak", "CriteriaType": "BaselineClassAlias", "Lang": "en", "CurrentPage": "1", "PageSize": "50"},
		},
		{
			name: "items, only the image: no Uuids.N",
			list: func(c *Client) error {
				_, err := List(context.Background(), c, DescribeImageBaselineItemList, ImageBaselineItemQuery{ImageUuid: "u-1"}, ListOptions{PageSize: 50})
				return err
			},
			want: map[string]string{"ImageUuid": "u-1", "CurrentPage": "1", "PageSize": "50"},
		},
		{
			name: "items, every filter",
			list: func(c *Client) error {
				_, err := List(context.Background(), c, DescribeImageBaselineItemList, ImageBaselineItemQuery{
					ImageUuid: "u-1", BaselineNameKey: "hc_image_ak_leak", BaselineClassKey: "ak_leak", Status: "2", Lang: "zh",
				}, ListOptions{PageSize: 50})
				return err
			},
			want: map[string]string{"ImageUuid": "u-1", "BaselineNameKey": "hc_image_ak_leak", "BaselineClassKey": "ak_leak", "Status": "2", "Lang": "zh", "CurrentPage": "1", "PageSize": "50"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rec queryRecorder
			c := clientFor(t, rec.serve(t, http.StatusOK, `{"RequestId":"R","PageInfo":{"TotalCount":0}}`))
			if err := tc.list(c); err != nil {
				t.Fatal(err)
			}
			if len(rec.queries) != 1 {
				t.Fatalf("%d requests, want 1", len(rec.queries))
			}
			checkQuery(t, rec.queries[0], tc.want)
		})
	}
}

// A query that would not mean what it says is refused before anything is
// sent.
func TestImageBaselineQueriesRejectBadInput(t *testing.T) {
	cases := map[string]func(c *Client) error{
		"results without an image": func(c *Client) error {
			_, err := List(context.Background(), c, DescribeImageBaselineCheckResult, ImageBaselineQuery{}, ListOptions{})
			return err
		},
		"an empty level": func(c *Client) error {
			_, err := List(context.Background(), c, DescribeImageBaselineCheckResult, ImageBaselineQuery{ImageUuid: "u", RiskLevels: []string{"high", ""}}, ListOptions{})
			return err
		},
		"a level with a comma": func(c *Client) error {
			_, err := List(context.Background(), c, DescribeImageBaselineCheckResult, ImageBaselineQuery{ImageUuid: "u", RiskLevels: []string{"high,low"}}, ListOptions{})
			return err
		},
		"items without an image": func(c *Client) error {
			_, err := List(context.Background(), c, DescribeImageBaselineItemList, ImageBaselineItemQuery{}, ListOptions{})
			return err
		},
		"items per baseline without an image": func(c *Client) error {
			_, err := ListEach(context.Background(), c, DescribeImageBaselineItemList, perBaseline(ImageBaselineItemQuery{}, "k"), ListOptions{})
			return err
		},
		"items per baseline, the last query without an image": func(c *Client) error {
			queries := append(perBaseline(ImageBaselineItemQuery{ImageUuid: "u"}, "k1", "k2"), ImageBaselineItemQuery{BaselineNameKey: "k3"})
			_, err := ListEach(context.Background(), c, DescribeImageBaselineItemList, queries, ListOptions{})
			return err
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			var rec queryRecorder
			c := clientFor(t, rec.serve(t, http.StatusOK, `{"PageInfo":{"TotalCount":0}}`))
			if err := call(c); err == nil {
				t.Error("no error")
			}
			if len(rec.queries) != 0 {
				t.Errorf("%d requests sent", len(rec.queries))
			}
		})
	}
}

// A missing permission names the action, so the caller can name the RAM
// action to grant.
func TestBaselineOperationsReportTheirAction(t *testing.T) {
	const denied = `{"RequestId":"D","Code":"NoPermission","Message":"caller has no permission"}`
	calls := map[string]func(c *Client) error{
		ActionDescribeImageBaselineCheckResult: func(c *Client) error {
			_, err := List(context.Background(), c, DescribeImageBaselineCheckResult, ImageBaselineQuery{ImageUuid: "u"}, ListOptions{})
			return err
		},
		ActionDescribeImageBaselineItemList: func(c *Client) error {
			_, err := ListEach(context.Background(), c, DescribeImageBaselineItemList, perBaseline(ImageBaselineItemQuery{ImageUuid: "u"}, "k"), ListOptions{})
			return err
		},
	}
	for action, call := range calls {
		t.Run(action, func(t *testing.T) {
			var rec queryRecorder
			c := clientFor(t, rec.serve(t, http.StatusForbidden, denied))
			err := call(c)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Action != action || apiErr.RequestID == "" {
				t.Fatalf("error = %#v, want an APIError of %s with its request id", err, action)
			}
			if CategoryOf(err) != CategoryPermission || !strings.Contains(err.Error(), action) {
				t.Errorf("CategoryOf = %v, message %q; want permission, naming %s", CategoryOf(err), err, action)
			}
			if len(rec.queries) != 1 {
				t.Errorf("%d requests, want 1 (not retried)", len(rec.queries))
			}
		})
	}
}

// itemService serves DescribeImageBaselineItemList for several baselines,
// capping page sizes, and records what it saw.
type itemService struct {
	items       map[string]int // items per baseline key
	maxPageSize int
	// gate holds each request until `want` requests are in flight at once
	// (or a deadline passes), so that concurrency is proven, not hoped for.
	want          int
	throttleEvery int
	denyKey       string
	hold          time.Duration

	mu        sync.Mutex
	inflight  int
	peak      int
	reached   chan struct{}
	calls     map[string]int // answered page requests per key
	attempts  int
	throttled int
}

func newItemService(items map[string]int, maxPageSize, want int) *itemService {
	return &itemService{items: items, maxPageSize: maxPageSize, want: want, reached: make(chan struct{}), calls: map[string]int{}}
}

func itemJSON(key string, i int) string {
	return fmt.Sprintf(`{"BaselineItemKey":"%s.item-%03d","BaselineNameKey":%q,"Status":%d,"WhiteList":%d}`, key, i, key, i%4, i%2)
}

func (s *itemService) serveHTTP(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if action := cmpOr(r.Header.Get("x-acs-action"), q.Get("Action")); action != ActionDescribeImageBaselineItemList {
			t.Errorf("request for %q", action)
		}
		key := q.Get("BaselineNameKey")
		s.mu.Lock()
		s.attempts++
		attempt := s.attempts
		s.inflight++
		s.peak = max(s.peak, s.inflight)
		if s.inflight == s.want {
			select {
			case <-s.reached:
			default:
				close(s.reached)
			}
		}
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inflight--
			s.mu.Unlock()
		}()
		select {
		case <-s.reached:
		case <-time.After(5 * time.Second):
		}
		// Holding each answer a little lets requests pile up if the bound
		// leaks; it slows a correct client down, nothing more.
		time.Sleep(s.hold)
		if key == s.denyKey {
			w.WriteHeader(http.StatusForbidden)
			_, _ = fmt.Fprint(w, `{"RequestId":"D","Code":"NoPermission","Message":"caller has no permission"}`)
			return
		}
		if s.throttleEvery > 0 && attempt%s.throttleEvery == 0 {
			s.mu.Lock()
			s.throttled++
			s.mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprint(w, `{"RequestId":"T","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`)
			return
		}
		size, _ := strconv.Atoi(q.Get("PageSize"))
		page, _ := strconv.Atoi(q.Get("CurrentPage"))
		size = min(size, s.maxPageSize)
		total := s.items[key]
		var records []string
		for i := (page - 1) * size; i < min(page*size, total); i++ {
			records = append(records, itemJSON(key, i))
		}
		s.mu.Lock()
		s.calls[key]++
		s.mu.Unlock()
		_, _ = fmt.Fprintf(w, `{"RequestId":"R","PageInfo":{"CurrentPage":%d,"PageSize":%d,"TotalCount":%d,"Count":%d},"BaselineItemInfos":[%s]}`,
			page, size, total, len(records), strings.Join(records, ","))
	}
}

// perBaseline is the query of each baseline's check items: query with
// each key in turn.
func perBaseline(query ImageBaselineItemQuery, keys ...string) []ImageBaselineItemQuery {
	out := make([]ImageBaselineItemQuery, len(keys))
	for k, key := range keys {
		out[k] = query
		out[k].BaselineNameKey = key
	}
	return out
}

// One listing per baseline, concurrently, all under the client's limit:
// the result is complete and in the order of the queries, each baseline is
// read in exactly its pages, and never more requests are in flight than
// allowed: the client's MaxConcurrency, or fewer listings at a time when
// ListOptions.MaxConcurrency says so (each then reads one page at a time).
func TestListEachBaselineItems(t *testing.T) {
	items := map[string]int{"b-empty": 0, "b-one": 1, "b-page": 10, "b-two-pages": 11, "b-many": 47}
	keys := []string{"b-many", "b-empty", "b-one", "b-two-pages", "b-page", "b-many-again"}
	items["b-many-again"] = 23
	cases := []struct {
		name             string
		client, listings int // the client's MaxConcurrency, ListOptions.MaxConcurrency
		wantPeakInFlight int
	}{
		{"client limit 1", 1, 0, 1},
		{"client limit 2", 2, 0, 2},
		{"client limit 3", 3, 0, 3},
		{"one listing at a time under a client limit of 8", 8, 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc := newItemService(items, 10, tc.wantPeakInFlight)
			svc.hold = 20 * time.Millisecond
			endpoint, _ := stubServer(t, svc.serveHTTP(t))
			c := clientFor(t, endpoint, func(cfg *Config) { cfg.MaxConcurrency = tc.client })
			listings, err := ListEach(context.Background(), c, DescribeImageBaselineItemList,
				perBaseline(ImageBaselineItemQuery{ImageUuid: "u"}, keys...), ListOptions{MaxConcurrency: tc.listings})
			if err != nil {
				t.Fatal(err)
			}
			if len(listings) != len(keys) {
				t.Fatalf("%d listings for %d baselines", len(listings), len(keys))
			}
			for k, key := range keys {
				l := listings[k]
				if len(l.Items) != items[key] || l.TotalCount != items[key] {
					t.Errorf("%s: %d items, TotalCount %d; want %d", key, len(l.Items), l.TotalCount, items[key])
				}
				for i, item := range l.Items {
					if want := fmt.Sprintf("%s.item-%03d", key, i); item.BaselineItemKey.Value != want || item.BaselineNameKey.Value != key {
						t.Fatalf("%s: item %d is %s of %s, want %s", key, i, item.BaselineItemKey.Value, item.BaselineNameKey.Value, want)
					}
				}
				wantPages := max(1, (items[key]+9)/10)
				if svc.calls[key] != wantPages || l.Requests != wantPages {
					t.Errorf("%s: service answered %d page requests, listing counts %d; want %d", key, svc.calls[key], l.Requests, wantPages)
				}
			}
			if svc.peak != tc.wantPeakInFlight {
				t.Errorf("at most %d requests were in flight at once, want exactly %d", svc.peak, tc.wantPeakInFlight)
			}
		})
	}
}

// Throttling slows the shared read down but does not break it.
func TestListEachBaselineItemsRetriesThrottling(t *testing.T) {
	items := map[string]int{"a": 25, "b": 5, "c": 0, "d": 31}
	svc := newItemService(items, 10, 1)
	svc.throttleEvery = 3
	endpoint, _ := stubServer(t, svc.serveHTTP(t))
	c := clientFor(t, endpoint, withMaxRetries(5), func(cfg *Config) { cfg.MaxConcurrency = 4 })
	keys := []string{"a", "b", "c", "d"}
	listings, err := ListEach(context.Background(), c, DescribeImageBaselineItemList, perBaseline(ImageBaselineItemQuery{ImageUuid: "u"}, keys...), ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	retries := 0
	for k, key := range keys {
		if len(listings[k].Items) != items[key] {
			t.Errorf("%s: %d items, want %d", key, len(listings[k].Items), items[key])
		}
		retries += listings[k].Retries
	}
	if svc.throttled == 0 || retries != svc.throttled {
		t.Errorf("retries %d, throttled answers %d; want equal and not 0", retries, svc.throttled)
	}
	if svc.peak > 4 {
		t.Errorf("%d requests in flight at once, more than 4", svc.peak)
	}
}

// One baseline failing fails the whole read, keeping the service's error:
// never a partial result, and no baseline is read after it.
func TestListEachBaselineItemsFailsAsAWhole(t *testing.T) {
	items := map[string]int{"a": 5, "b": 5, "c": 5}
	svc := newItemService(items, 10, 1)
	svc.denyKey = "b"
	endpoint, _ := stubServer(t, svc.serveHTTP(t))
	c := clientFor(t, endpoint)
	listings, err := ListEach(context.Background(), c, DescribeImageBaselineItemList, perBaseline(ImageBaselineItemQuery{ImageUuid: "u"}, "a", "b", "c"), ListOptions{MaxConcurrency: 1})
	var apiErr *APIError
	if listings != nil || !errors.As(err, &apiErr) || apiErr.Action != ActionDescribeImageBaselineItemList || apiErr.RequestID != "D" || CategoryOf(err) != CategoryPermission {
		t.Fatalf("listings %v, error %v; want no listings and the permission error of %s", listings, err, ActionDescribeImageBaselineItemList)
	}
	if svc.calls["a"] != 1 || svc.calls["c"] != 0 {
		t.Errorf("baseline a answered %d times, c %d times after b failed; want 1 and 0", svc.calls["a"], svc.calls["c"])
	}
}

// No baselines, no requests.
func TestListEachBaselineItemsOfNoBaselines(t *testing.T) {
	var rec queryRecorder
	c := clientFor(t, rec.serve(t, http.StatusOK, `{"PageInfo":{"TotalCount":0}}`))
	listings, err := ListEach(context.Background(), c, DescribeImageBaselineItemList, nil, ListOptions{})
	if err != nil || len(listings) != 0 || len(rec.queries) != 0 {
		t.Fatalf("listings %v, error %v, %d requests; want none", listings, err, len(rec.queries))
	}
}

// The baseline operations as the paging engine's contract tests see them:
// PageInfo totals, with numbers as strings on some fields.
var (
	baselineResultsListOperation = listOperation{
		name: "DescribeImageBaselineCheckResult", action: ActionDescribeImageBaselineCheckResult, noun: "baselines",
		record: func(i int) (string, string) {
			key := fmt.Sprintf("hc_baseline_%05d", i)
			return fmt.Sprintf(`{"BaselineNameKey":%q,"BaselineNameLevel":"high","HighRiskItemCount":"%d","Status":%d}`, key, i%5, i%2), key
		},
		page: pageInfoBody("BaselineResult"),
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeImageBaselineCheckResult, ImageBaselineQuery{ImageUuid: "u-1", RiskLevels: []string{"high"}, Lang: "en"}, opts)
			return resultOf(l, err, func(b *BaselineResult) (string, bool) { return b.BaselineNameKey.Value, true })
		},
	}
	// Item keys repeat across baselines: the key is the pair.
	baselineItemsListOperation = listOperation{
		name: "DescribeImageBaselineItemList", action: ActionDescribeImageBaselineItemList, noun: "check items",
		record: func(i int) (string, string) {
			baseline, item := fmt.Sprintf("hc_baseline_%05d", i/3), fmt.Sprintf("check_%d", i%3)
			return fmt.Sprintf(`{"BaselineNameKey":%q,"BaselineItemKey":%q,"Status":"%d","WhiteList":%d}`, baseline, item, i%4, i%2), baseline + "|" + item
		},
		page: pageInfoBody("BaselineItemInfos"),
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeImageBaselineItemList, ImageBaselineItemQuery{ImageUuid: "u-1", Lang: "en"}, opts)
			return resultOf(l, err, func(i *BaselineItem) (string, bool) {
				return i.BaselineNameKey.Value + "|" + i.BaselineItemKey.Value, true
			})
		},
	}
)

// pageInfoBody wraps records in a response with PageInfo totals, the page
// fields as strings.
func pageInfoBody(listField string) func(records []string, page, servedSize, total int) string {
	return func(records []string, page, servedSize, total int) string {
		size := ""
		if servedSize >= 0 {
			size = fmt.Sprintf(`"PageSize":"%d",`, servedSize)
		}
		return fmt.Sprintf(`{"RequestId":"R","PageInfo":{"CurrentPage":"%d",%s"TotalCount":"%d","Count":%d},%q:[%s]}`,
			page, size, total, len(records), listField, strings.Join(records, ","))
	}
}
