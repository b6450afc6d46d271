package sasapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The paging engine's contract, checked for every list operation that
// uses it: the same cases, the same expectations, against a local service
// that pages records the way the real one does.

// listOperation is one user of List, as the engine tests see it.
type listOperation struct {
	name   string
	action string
	noun   string
	// record returns the wire JSON of record i and the key List must
	// de-duplicate it by.
	record func(i int) (json, key string)
	// page wraps records into one response; servedSize < 0 leaves the
	// served page size out.
	page func(records []string, page, servedSize, total int) string
	list func(ctx context.Context, c *Client, opts ListOptions) (listResult, error)
}

// listResult is a Listing with its records reduced to their keys.
type listResult struct {
	action, noun                                   string
	keys                                           []string
	total, pageSize, requests, retries, duplicates int
	requestIDs                                     []string
	anomalies                                      []Anomaly
}

func resultOf[T any](l *Listing[T], err error, key func(*T) (string, bool)) (listResult, error) {
	if err != nil {
		if l != nil {
			return listResult{}, fmt.Errorf("got a listing of %d records with the error %w", len(l.Items), err)
		}
		return listResult{}, err
	}
	r := listResult{action: l.Action, noun: l.Noun, total: l.TotalCount, pageSize: l.PageSize, requests: l.Requests, retries: l.Retries,
		duplicates: l.Duplicates, requestIDs: l.RequestIDs, anomalies: l.Anomalies}
	for i := range l.Items {
		k, _ := key(&l.Items[i])
		r.keys = append(r.keys, k)
	}
	return r, nil
}

var listOperations = []listOperation{
	{
		name: "DescribeImageInstances", action: ActionDescribeImageInstances, noun: "images",
		record: func(i int) (string, string) {
			uuid := fmt.Sprintf("img-%05d", i)
			return fmt.Sprintf(`{"Uuid":%q,"VulCount":"%d","Deployed":1}`, uuid, i%7), uuid
		},
		page: func(records []string, page, servedSize, total int) string {
			size := ""
			if servedSize >= 0 {
				size = fmt.Sprintf(`"PageSize":%d,`, servedSize)
			}
			return fmt.Sprintf(`{"RequestId":"R","PageInfo":{"CurrentPage":%d,%s"TotalCount":%d,"Count":%d},"ImageInstanceList":[%s]}`,
				page, size, total, len(records), strings.Join(records, ","))
		},
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeImageInstances, ImageQuery{}, opts)
			return resultOf(l, err, func(img *ImageInstance) (string, bool) { return img.Uuid.Value, true })
		},
	},
	{
		name: "DescribeImageVulList", action: ActionDescribeImageVulList, noun: "vulnerability rows",
		// Three rows per image and two per name: neither Uuid nor Name
		// alone identifies a row.
		record: func(i int) (string, string) {
			uuid, name, id := fmt.Sprintf("img-%05d", i/3), fmt.Sprintf("debian:10:CVE-2020-%d", i/2), strconv.Itoa(9000+i)
			return fmt.Sprintf(`{"Uuid":%q,"Name":%q,"PrimaryId":"%s","Status":1,"Related":"CVE-2020-%d","ExtendContentJson":"{\"Os\":\"debian\"}"}`, uuid, name, id, i/2),
				uuid + "|" + name + "|" + id
		},
		page: func(records []string, page, servedSize, total int) string {
			size := ""
			if servedSize >= 0 {
				size = fmt.Sprintf(`"PageSize":"%d",`, servedSize)
			}
			return fmt.Sprintf(`{"RequestId":"R","CurrentPage":%d,%s"TotalCount":"%d","VulRecords":[%s]}`,
				page, size, total, strings.Join(records, ","))
		},
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeImageVulList, ImageVulQuery{Uuids: []string{"img-1", "img-2"}, Lang: "en"}, opts)
			return resultOf(l, err, func(r *VulRecord) (string, bool) {
				return r.Uuid.Value + "|" + r.Name.Value + "|" + strconv.FormatInt(r.PrimaryId.Value, 10), true
			})
		},
	},
	baselineResultsListOperation,
	baselineItemsListOperation,
	sensitiveTypesListOperation,
	sensitiveFilesListOperation,
	affectedMaliciousListOperation,
	groupedMaliciousListOperation,
}

// pagedService serves one list operation from records in memory.
type pagedService struct {
	op listOperation

	mu            sync.Mutex
	records       []string // wire JSON, in service order
	maxPageSize   int      // the service's cap; 0 means none
	announceSize  bool     // whether answers state the page size served
	totalOverride int      // TotalCount to report instead of the truth; -1 none
	throttleEvery int      // answer every n-th request with Throttling.User; 0 never
	afterCall     func(call int, s *pagedService)
	calls         int
	throttled     int
	queries       []map[string]string
}

func (s *pagedService) serveHTTP(t testing.TB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if action := cmpOr(r.Header.Get("x-acs-action"), q.Get("Action")); action != s.op.action {
			t.Errorf("request for %q, want %q", action, s.op.action)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls++
		call := s.calls
		if s.afterCall != nil {
			defer s.afterCall(call, s)
		}
		if s.throttleEvery > 0 && call%s.throttleEvery == 0 {
			s.throttled++
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprint(w, `{"RequestId":"T","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`)
			return
		}
		size, _ := strconv.Atoi(q.Get("PageSize"))
		page, _ := strconv.Atoi(q.Get("CurrentPage"))
		if s.maxPageSize > 0 {
			size = min(size, s.maxPageSize)
		}
		start := min((page-1)*size, len(s.records))
		end := min(start+size, len(s.records))
		total := len(s.records)
		if s.totalOverride >= 0 {
			total = s.totalOverride
		}
		served := -1
		if s.announceSize {
			served = size
		}
		query := map[string]string{}
		for k := range q {
			query[k] = q.Get(k)
		}
		s.queries = append(s.queries, query)
		_, _ = fmt.Fprint(w, s.op.page(s.records[start:end], page, served, total))
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// dataset returns n records of op and their keys, numbered from first.
func dataset(op listOperation, first, n int) (records, keys []string) {
	for i := first; i < first+n; i++ {
		rec, key := op.record(i)
		records = append(records, rec)
		keys = append(keys, key)
	}
	return records, keys
}

func TestListOperationsPageThroughTheEngine(t *testing.T) {
	cases := []struct {
		name          string
		records       int
		maxPageSize   int
		silentCap     bool // the service caps without stating PageSize
		totalOverride int  // 0: the truth
		throttleEvery int
		frontInserts  int // records added at the front after the first page
		opts          ListOptions

		wantRequests   int // page requests answered with records or an empty page
		wantRecount    bool
		wantItems      int // the first wantItems records of the dataset, in order
		wantPageSize   int
		wantDuplicates int
		wantAnomalies  []Anomaly
	}{
		{name: "no records", records: 0, opts: ListOptions{PageSize: 100},
			wantRequests: 1, wantItems: 0, wantPageSize: 100},
		{name: "one record", records: 1, opts: ListOptions{PageSize: 100},
			wantRequests: 1, wantItems: 1, wantPageSize: 100},
		{name: "exactly one page", records: 100, opts: ListOptions{PageSize: 100},
			wantRequests: 1, wantItems: 100, wantPageSize: 100},
		{name: "one more than a page", records: 101, opts: ListOptions{PageSize: 100},
			wantRequests: 2, wantItems: 101, wantPageSize: 100},
		{name: "many pages, concurrently", records: 537, opts: ListOptions{PageSize: 50, MaxConcurrency: 4},
			wantRequests: 11, wantItems: 537, wantPageSize: 50},
		{name: "default page size is the maximum", records: 537,
			wantRequests: 6, wantItems: 537, wantPageSize: MaxPageSize},
		{name: "server page cap, stated", records: 537, maxPageSize: 30, opts: ListOptions{PageSize: 100, MaxConcurrency: 4},
			wantRequests: 18, wantItems: 537, wantPageSize: 30},
		{name: "server page cap above the data, stated", records: 25, maxPageSize: 30, opts: ListOptions{PageSize: 100},
			wantRequests: 1, wantItems: 25, wantPageSize: 30},
		{name: "server page cap, silent", records: 537, maxPageSize: 30, silentCap: true, opts: ListOptions{PageSize: 100, MaxConcurrency: 4},
			wantRequests: 18, wantItems: 537, wantPageSize: 30},
		{name: "throttled every third request", records: 537, throttleEvery: 3, opts: ListOptions{PageSize: 50, MaxConcurrency: 4},
			wantRequests: 11, wantItems: 537, wantPageSize: 50},
		{name: "MaxResults across pages", records: 537, opts: ListOptions{PageSize: 100, MaxResults: 150},
			wantRequests: 2, wantItems: 150, wantPageSize: 100},
		{name: "MaxResults below one page", records: 537, opts: ListOptions{PageSize: 100, MaxResults: 5},
			wantRequests: 1, wantItems: 5, wantPageSize: 5},
		{name: "MaxResults above the total", records: 537, opts: ListOptions{MaxResults: 1000},
			wantRequests: 6, wantItems: 537, wantPageSize: 100},
		{name: "drift: records added at the front", records: 250, frontInserts: 5, opts: ListOptions{PageSize: 100, MaxConcurrency: 1},
			wantRequests: 3, wantItems: 250, wantPageSize: 100, wantDuplicates: 5,
			wantAnomalies: []Anomaly{{AnomalyCountChanged, 250, 255}, {AnomalyRepeated, 250, 5}, {AnomalyExceeded, 250, 255}}},
		{name: "TotalCount above the data", records: 537, totalOverride: 5000, opts: ListOptions{PageSize: 100, MaxConcurrency: 1},
			wantRequests: 7, wantRecount: true, wantItems: 537, wantPageSize: 100, wantAnomalies: []Anomaly{{AnomalyShort, 5000, 537}}},
	}
	for _, op := range listOperations {
		for _, tc := range cases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				records, keys := dataset(op, 0, tc.records)
				svc := &pagedService{op: op, records: records, maxPageSize: tc.maxPageSize, announceSize: !tc.silentCap,
					totalOverride: -1, throttleEvery: tc.throttleEvery}
				if tc.totalOverride > 0 {
					svc.totalOverride = tc.totalOverride
				}
				if tc.frontInserts > 0 {
					fresh, _ := dataset(op, 100000, tc.frontInserts)
					svc.afterCall = func(call int, s *pagedService) {
						if call == 1 {
							s.records = append(fresh, s.records...)
						}
					}
				}
				endpoint, _ := stubServer(t, svc.serveHTTP(t))
				c := clientFor(t, endpoint, withMaxRetries(5))
				var progress []PageProgress
				var mu sync.Mutex
				tc.opts.OnPage = func(p PageProgress) {
					mu.Lock()
					progress = append(progress, p)
					mu.Unlock()
				}

				got, err := op.list(context.Background(), c, tc.opts)
				if err != nil {
					t.Fatalf("listing: %v", err)
				}
				requests := tc.wantRequests // the page requests, and the count asked again
				if tc.wantRecount {
					requests++
				}
				if !slices.Equal(got.keys, keys[:tc.wantItems]) {
					t.Errorf("got %d records, want the first %d of the dataset in order", len(got.keys), tc.wantItems)
				}
				wantTotal := tc.records
				if tc.totalOverride > 0 {
					wantTotal = tc.totalOverride
				}
				if got.total != wantTotal || got.pageSize != tc.wantPageSize || got.requests != requests || got.duplicates != tc.wantDuplicates {
					t.Errorf("TotalCount, PageSize, Requests, Duplicates = %d, %d, %d, %d; want %d, %d, %d, %d",
						got.total, got.pageSize, got.requests, got.duplicates, wantTotal, tc.wantPageSize, requests, tc.wantDuplicates)
				}
				if len(got.requestIDs) != requests || slices.Contains(got.requestIDs, "") {
					t.Errorf("RequestIDs = %q, want one per request (%d)", got.requestIDs, requests)
				}
				if got.action != op.action || got.noun != op.noun {
					t.Errorf("Action, Noun = %q, %q; want %q, %q", got.action, got.noun, op.action, op.noun)
				}
				if !slices.Equal(got.anomalies, tc.wantAnomalies) {
					t.Errorf("Anomalies = %+v, want %+v", got.anomalies, tc.wantAnomalies)
				}
				if got.retries != svc.throttled {
					t.Errorf("Retries = %d, want %d (the throttled requests)", got.retries, svc.throttled)
				}
				if tc.throttleEvery > 0 && svc.throttled == 0 {
					t.Error("no request was throttled")
				}
				if svc.calls != requests+svc.throttled {
					t.Errorf("service saw %d requests, want %d + %d throttled", svc.calls, requests, svc.throttled)
				}
				queries := svc.queries
				if tc.wantRecount {
					// The count is asked again last, as page 1 of one record.
					last := queries[len(queries)-1]
					if last["CurrentPage"] != "1" || last["PageSize"] != "1" {
						t.Errorf("last request asked for page %s of %s, want the count again: page 1 of 1", last["CurrentPage"], last["PageSize"])
					}
					queries = queries[:len(queries)-1]
				}
				var pages []int
				for _, q := range queries {
					page, _ := strconv.Atoi(q["CurrentPage"])
					pages = append(pages, page)
				}
				slices.Sort(pages)
				for i, p := range pages {
					if p != i+1 {
						t.Fatalf("pages requested = %v, want 1..%d once each", pages, tc.wantRequests)
					}
				}
				if len(progress) != tc.wantRequests {
					t.Errorf("OnPage called %d times, want once per page (%d)", len(progress), tc.wantRequests)
				}
			})
		}
	}
}

// A service that throttles everything makes the listing fail with the
// throttling error, for every operation: never a partial result.
func TestListOperationsFailWhenEveryRetryIsThrottled(t *testing.T) {
	for _, op := range listOperations {
		t.Run(op.name, func(t *testing.T) {
			records, _ := dataset(op, 0, 300)
			svc := &pagedService{op: op, records: records, announceSize: true, totalOverride: -1}
			svc.afterCall = func(call int, s *pagedService) {
				if call == 1 {
					s.throttleEvery = 1
				}
			}
			endpoint, _ := stubServer(t, svc.serveHTTP(t))
			c := clientFor(t, endpoint, withMaxRetries(2))
			_, err := op.list(context.Background(), c, ListOptions{PageSize: 100, MaxConcurrency: 1})
			if CategoryOf(err) != CategoryThrottled || !strings.Contains(fmt.Sprint(err), "page 2") {
				t.Fatalf("error = %v, want the throttling error of page 2", err)
			}
			if svc.calls != 1+3 {
				t.Errorf("service saw %d requests, want the first page and 3 attempts at the second", svc.calls)
			}
		})
	}
}
