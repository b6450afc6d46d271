package sasapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func TestListImageInstancesReadsEveryPage(t *testing.T) {
	cases := []struct {
		name         string
		images       int
		maxPageSize  int // the service's silent cap; 0 means 100
		opts         ListOptions
		wantRequests int
		wantImages   int
		wantPageSize int
		wantSizeSent string // PageSize parameter of the first request
	}{
		{name: "no images", images: 0, opts: ListOptions{PageSize: 100}, wantRequests: 1, wantImages: 0, wantPageSize: 100, wantSizeSent: "100"},
		{name: "one image", images: 1, opts: ListOptions{PageSize: 100}, wantRequests: 1, wantImages: 1, wantPageSize: 100, wantSizeSent: "100"},
		{name: "exactly one full page", images: 100, opts: ListOptions{PageSize: 100}, wantRequests: 1, wantImages: 100, wantPageSize: 100, wantSizeSent: "100"},
		{name: "one more than a page", images: 101, opts: ListOptions{PageSize: 100}, wantRequests: 2, wantImages: 101, wantPageSize: 100, wantSizeSent: "100"},
		{name: "many pages of 100", images: 537, opts: ListOptions{PageSize: 100}, wantRequests: 6, wantImages: 537, wantPageSize: 100, wantSizeSent: "100"},
		{name: "many pages of 50", images: 537, opts: ListOptions{PageSize: 50}, wantRequests: 11, wantImages: 537, wantPageSize: 50, wantSizeSent: "50"},
		{name: "default page size is the maximum", images: 537, wantRequests: 6, wantImages: 537, wantPageSize: MaxPageSize, wantSizeSent: "100"},
		{name: "service caps the page size", images: 537, maxPageSize: 30, opts: ListOptions{PageSize: 100},
			wantRequests: 18, wantImages: 537, wantPageSize: 30, wantSizeSent: "100"},
		{name: "MaxResults across pages", images: 537, opts: ListOptions{PageSize: 100, MaxResults: 150},
			wantRequests: 2, wantImages: 150, wantPageSize: 100, wantSizeSent: "100"},
		{name: "MaxResults below one page", images: 537, opts: ListOptions{PageSize: 100, MaxResults: 5},
			wantRequests: 1, wantImages: 5, wantPageSize: 5, wantSizeSent: "5"},
		{name: "MaxResults above the total", images: 537, opts: ListOptions{PageSize: 100, MaxResults: 1000},
			wantRequests: 6, wantImages: 537, wantPageSize: 100, wantSizeSent: "100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			images := fakesas.GenerateImages(tc.images, 537)
			fake := startFake(t, fakesas.Options{Images: images, MaxPageSize: tc.maxPageSize})
			c := clientFor(t, fake.Endpoint())

			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, tc.opts)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if got, want := uuids(listing.Items), fakeUUIDs(images[:tc.wantImages]); !slices.Equal(got, want) {
				t.Errorf("got %d images, want the first %d of the dataset in order", len(got), len(want))
			}
			if listing.TotalCount != tc.images {
				t.Errorf("TotalCount = %d, want %d", listing.TotalCount, tc.images)
			}
			if listing.PageSize != tc.wantPageSize {
				t.Errorf("PageSize = %d, want %d", listing.PageSize, tc.wantPageSize)
			}
			if listing.Requests != tc.wantRequests {
				t.Errorf("Listing.Requests = %d, want %d", listing.Requests, tc.wantRequests)
			}
			if len(listing.Anomalies) != 0 || listing.Duplicates != 0 || listing.Retries != 0 {
				t.Errorf("Anomalies, Duplicates, Retries = %+v, %d, %d; want none", listing.Anomalies, listing.Duplicates, listing.Retries)
			}
			if len(listing.RequestIDs) != tc.wantRequests {
				t.Errorf("%d request ids, want one per page (%d)", len(listing.RequestIDs), tc.wantRequests)
			}

			reqs := fake.Requests()
			if len(reqs) != tc.wantRequests {
				t.Fatalf("fake saw %d DescribeImageInstances requests, want %d", len(reqs), tc.wantRequests)
			}
			if got := reqs[0].Query.Get("PageSize"); got != tc.wantSizeSent {
				t.Errorf("first request PageSize = %q, want %q", got, tc.wantSizeSent)
			}
			var pages []int
			for _, r := range reqs {
				n, _ := strconv.Atoi(r.Query.Get("CurrentPage"))
				pages = append(pages, n)
			}
			slices.Sort(pages)
			for i, p := range pages {
				if p != i+1 {
					t.Fatalf("pages requested = %v, want 1..%d once each", pages, tc.wantRequests)
				}
			}
		})
	}
}

func TestListImageInstancesRejectsNegativeOptions(t *testing.T) {
	c := clientFor(t, "127.0.0.1:1")
	for _, opts := range []ListOptions{{PageSize: -1}, {MaxResults: -1}, {MaxConcurrency: -1}} {
		if l, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, opts); err == nil || l != nil {
			t.Errorf("List(%+v) = %v, %v; want an error", opts, l, err)
		}
	}
}

// Concurrent paging is an optimisation only: at any concurrency, throttled
// or not, the result is exactly what a sequential read returns. Throttling
// comes from the fake's QPS limit, the way the service throttles (a client
// that slows down is throttled less; a slow machine may not reach it), and
// from three injected throttling answers that come whatever the speed.
func TestConcurrentListingEqualsSequentialRead(t *testing.T) {
	const n, pageSize = 1000, 20
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(n, 42), Seed: 7})
	sequential, err := List(context.Background(), clientFor(t, fake.Endpoint()), DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: pageSize, MaxConcurrency: 1})
	if err != nil {
		t.Fatalf("sequential read: %v", err)
	}
	if len(sequential.Items) != n {
		t.Fatalf("sequential read returned %d images, want %d", len(sequential.Items), n)
	}

	for _, throttled := range []bool{false, true} {
		for _, concurrency := range []int{1, 2, 4, 8, 32} {
			t.Run(fmt.Sprintf("throttled=%v/concurrency=%d", throttled, concurrency), func(t *testing.T) {
				if throttled {
					fake.SetQPS(40) // 50 pages: the last ones are throttled
					fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, Count: 3, MaxConsecutive: 1})
				} else {
					fake.SetQPS(0)
					fake.SetFaults()
				}
				fake.ResetCounters()
				// A new client: each learns the service's rate afresh.
				c := clientFor(t, fake.Endpoint(), withMaxRetries(5))

				listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: pageSize, MaxConcurrency: concurrency})
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				if !reflect.DeepEqual(listing.Items, sequential.Items) {
					t.Errorf("result differs from the sequential read (%d vs %d images)", len(listing.Items), len(sequential.Items))
				}
				if len(listing.Anomalies) != 0 || listing.Duplicates != 0 {
					t.Errorf("Anomalies, Duplicates = %+v, %d; want none", listing.Anomalies, listing.Duplicates)
				}

				limited := 0
				for _, r := range fake.Requests() {
					if r.RateLimited || r.Fault != "" {
						limited++
					}
				}
				if throttled && limited == 0 {
					t.Error("no request was throttled; the faults did not apply")
				}
				if listing.Retries != limited {
					t.Errorf("Listing.Retries = %d, want %d (the throttled requests)", listing.Retries, limited)
				}
				if got, want := fake.Calls(ActionDescribeImageInstances), n/pageSize+limited; got != want {
					t.Errorf("fake saw %d requests, want %d pages + %d retries", got, n/pageSize, limited)
				}
			})
		}
	}
}

// One Client serves many listings at once (the provider reads several data
// sources in parallel).
func TestClientIsSafeForConcurrentListings(t *testing.T) {
	images := fakesas.GenerateImages(300, 8)
	fake := startFake(t, fakesas.Options{Images: images})
	c := clientFor(t, fake.Endpoint())
	want := fakeUUIDs(images)

	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Go(func() {
			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 25 + i, MaxConcurrency: 3})
			switch {
			case err != nil:
				errs <- err
			case !slices.Equal(uuids(listing.Items), want):
				errs <- fmt.Errorf("listing %d: wrong images", i)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// When records are added or removed between pages, the result never holds
// a record twice and the caller is told the listing moved under it, with
// the numbers seen.
func TestListingChangedDuringTheRead(t *testing.T) {
	cases := []struct {
		name           string
		change         func(old []fakesas.Image) []fakesas.Image
		wantDuplicates int
		wantImages     int
		wantRequests   int
		wantAnomalies  []Anomaly
	}{
		{
			name:           "images added at the front",
			change:         func(old []fakesas.Image) []fakesas.Image { return append(fakesas.GenerateImages(5, 999), old...) },
			wantDuplicates: 5, // the last 5 of page 1 come back on page 2
			wantImages:     250,
			wantRequests:   3,
			wantAnomalies: []Anomaly{
				{Kind: AnomalyCountChanged, Reported: 250, Seen: 255},
				{Kind: AnomalyRepeated, Reported: 250, Seen: 5},
				{Kind: AnomalyExceeded, Reported: 250, Seen: 255},
			},
		},
		{
			name:           "images removed at the front",
			change:         func(old []fakesas.Image) []fakesas.Image { return old[5:] },
			wantDuplicates: 0,
			wantImages:     245, // 5 records slid from page 2 onto page 1 and were missed
			// Short of the first count, so counted again: 245, no more than
			// were read, so the count changed and nothing is known missing
			// beyond what a changed count implies.
			wantRequests:  3 + 1,
			wantAnomalies: []Anomaly{{Kind: AnomalyCountChanged, Reported: 250, Seen: 245}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			images := fakesas.GenerateImages(250, 4)
			fake := startFake(t, fakesas.Options{Images: images})
			fake.OnDescribeImageInstances(func(call int) {
				if call == 1 {
					fake.SetImages(tc.change(images))
				}
			})
			c := clientFor(t, fake.Endpoint())

			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxConcurrency: 1})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			seen := map[string]bool{}
			for _, id := range uuids(listing.Items) {
				if seen[id] {
					t.Errorf("Uuid %s appears twice", id)
				}
				seen[id] = true
			}
			if listing.Duplicates != tc.wantDuplicates {
				t.Errorf("Duplicates = %d, want %d", listing.Duplicates, tc.wantDuplicates)
			}
			if len(listing.Items) != tc.wantImages {
				t.Errorf("got %d images, want %d", len(listing.Items), tc.wantImages)
			}
			if !slices.Equal(listing.Anomalies, tc.wantAnomalies) || listing.Short() {
				t.Errorf("Anomalies = %+v (short %v), want %+v", listing.Anomalies, listing.Short(), tc.wantAnomalies)
			}
			if calls := fake.Calls(ActionDescribeImageInstances); calls != tc.wantRequests || listing.Requests != tc.wantRequests {
				t.Errorf("fake saw %d requests, the listing counts %d; want %d", calls, listing.Requests, tc.wantRequests)
			}
		})
	}
}

// A TotalCount larger than the data must not make the listing loop or
// fetch without bound: it stops at the first empty page, counts again
// once, and says it came up short of the count.
func TestTotalCountLargerThanTheData(t *testing.T) {
	const n, override, pageSize = 537, 5000, 100
	for _, concurrency := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency=%d", concurrency), func(t *testing.T) {
			images := fakesas.GenerateImages(n, 3)
			fake := startFake(t, fakesas.Options{Images: images})
			fake.SetTotalCountOverride(override)
			c := clientFor(t, fake.Endpoint())

			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: pageSize, MaxConcurrency: concurrency})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if !slices.Equal(uuids(listing.Items), fakeUUIDs(images)) {
				t.Errorf("got %d images, want the %d of the dataset in order", len(listing.Items), n)
			}
			if listing.TotalCount != override {
				t.Errorf("TotalCount = %d, want the reported %d", listing.TotalCount, override)
			}
			if want := []Anomaly{{Kind: AnomalyShort, Reported: override, Seen: n}}; !slices.Equal(listing.Anomalies, want) || !listing.Short() {
				t.Errorf("Anomalies = %+v, want %+v", listing.Anomalies, want)
			}
			calls := fake.Calls(ActionDescribeImageInstances)
			if bound := (override+pageSize-1)/pageSize + 1; calls > bound {
				t.Errorf("fake saw %d requests, more than ceil(TotalCount/PageSize) and the recount = %d", calls, bound)
			}
			if want := n/pageSize + 2 + 1; concurrency == 1 && (calls != want || listing.Requests != want) {
				t.Errorf("sequential read made %d requests (the listing counts %d), want %d (the data, one empty page, the count again)",
					calls, listing.Requests, want)
			}
		})
	}
}

// A page that fails for good fails the listing: never a partial Listing
// that looks complete.
func TestPageFailureFailsTheWholeListing(t *testing.T) {
	cases := []struct {
		name        string
		concurrency int
		maxRetries  int
		faultAfter  int // served pages before the fault is switched on
		fault       fakesas.Fault
		wantCode    string
		wantCalls   int // 0: not checked
	}{
		{name: "NoPermission on the 3rd request, sequential", concurrency: 1, maxRetries: 0, faultAfter: 2,
			fault: fakesas.Fault{Kind: fakesas.FaultNoPermission, Count: 1}, wantCode: "NoPermission", wantCalls: 3},
		{name: "NoPermission mid-listing, concurrent", concurrency: 4, maxRetries: 0, faultAfter: 2,
			fault: fakesas.Fault{Kind: fakesas.FaultNoPermission, Count: 1}, wantCode: "NoPermission"},
		{name: "ServerError outlasting the retries, concurrent", concurrency: 4, maxRetries: 2, faultAfter: 1,
			fault: fakesas.Fault{Kind: fakesas.FaultServerError}, wantCode: "ServerError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(537, 5)})
			fake.OnDescribeImageInstances(func(call int) {
				if call == tc.faultAfter {
					fake.SetFaults(tc.fault)
				}
			})
			c := clientFor(t, fake.Endpoint(), withMaxRetries(tc.maxRetries))

			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 50, MaxConcurrency: tc.concurrency})
			if listing != nil {
				t.Errorf("got a Listing of %d images alongside the error", len(listing.Items))
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Code != tc.wantCode {
				t.Fatalf("error = %v, want an APIError %s", err, tc.wantCode)
			}
			if apiErr.Attempts != tc.maxRetries+1 {
				t.Errorf("Attempts = %d, want %d", apiErr.Attempts, tc.maxRetries+1)
			}
			if !strings.Contains(err.Error(), "page ") {
				t.Errorf("error does not name the page: %v", err)
			}
			if tc.wantCalls > 0 && fake.Calls(ActionDescribeImageInstances) != tc.wantCalls {
				t.Errorf("fake saw %d requests, want %d", fake.Calls(ActionDescribeImageInstances), tc.wantCalls)
			}
		})
	}
}

func TestOnPageReportsEveryPageOnce(t *testing.T) {
	const n, pageSize, pages = 537, 100, 6
	for _, concurrency := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency=%d", concurrency), func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(n, 6)})
			c := clientFor(t, fake.Endpoint())
			var mu sync.Mutex
			var reports []PageProgress
			onPage := func(p PageProgress) {
				mu.Lock()
				reports = append(reports, p)
				mu.Unlock()
			}

			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: pageSize, MaxConcurrency: concurrency, OnPage: onPage})
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(reports) != pages {
				t.Fatalf("OnPage called %d times, want %d: %+v", len(reports), pages, reports)
			}
			seen := map[int]bool{}
			maxImages := 0
			for _, r := range reports {
				if r.Pages != pages || r.TotalCount != n || seen[r.Page] || r.Page < 1 || r.Page > pages {
					t.Errorf("bad report %+v", r)
				}
				seen[r.Page] = true
				maxImages = max(maxImages, r.Items)
			}
			if maxImages != len(listing.Items) {
				t.Errorf("final Items = %d, want %d", maxImages, len(listing.Items))
			}
			if concurrency == 1 {
				for i, r := range reports {
					if r.Page != i+1 || r.Items != min((i+1)*pageSize, n) {
						t.Errorf("report %d = %+v, want page %d with %d images so far", i, r, i+1, min((i+1)*pageSize, n))
					}
				}
			}
		})
	}
}

// A service that computes the offset of a page from the PageSize it was
// asked for and only then caps the page (the real service's behaviour is
// undocumented). Paging must follow the size actually served for every page.
func TestPagingFollowsTheServedPageSizeOnLaterPages(t *testing.T) {
	const total, served = 120, 50
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("PageSize"))
		page, _ := strconv.Atoi(r.URL.Query().Get("CurrentPage"))
		start := min((page-1)*size, total)
		end := min(start+min(size, served), total)
		var b strings.Builder
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"Uuid":"u%d"}`, i)
		}
		fmt.Fprintf(w, `{"RequestId":"R","PageInfo":{"CurrentPage":%d,"PageSize":%d,"TotalCount":%d,"Count":%d},"ImageInstanceList":[%s]}`,
			page, min(size, served), total, end-start, b.String())
	})
	c := clientFor(t, endpoint)
	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxConcurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(listing.Items) != total || len(listing.Anomalies) != 0 {
		t.Errorf("got %d of %d images, anomalies %+v", len(listing.Items), total, listing.Anomalies)
	}
}

// A TotalCount no real account has must not crash the provider or make it
// allocate by the reported count.
func TestAbsurdTotalCountDoesNotPanic(t *testing.T) {
	endpoint, calls := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("CurrentPage")
		list := `[]`
		if page == "1" {
			list = `[{"Uuid":"only"}]`
		}
		fmt.Fprintf(w, `{"RequestId":"R","PageInfo":{"TotalCount":%d},"ImageInstanceList":%s}`, int64(math.MaxInt64), list)
	})
	c := clientFor(t, endpoint)
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("List panicked: %v", p)
		}
	}()
	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxConcurrency: 2})
	if err != nil {
		t.Fatalf("List: %v, want the one image served, short of the count", err)
	}
	want := []Anomaly{{Kind: AnomalyShort, Reported: math.MaxInt64, Seen: 1}}
	if len(listing.Items) != 1 || !slices.Equal(listing.Anomalies, want) {
		t.Errorf("got %d images with anomalies %+v, want the 1 served and %+v", len(listing.Items), listing.Anomalies, want)
	}
	if calls() > 1+2+2+1 {
		t.Errorf("service saw %d requests: the empty pages did not stop the listing", calls())
	}
}

// A TotalCount that lags behind the data (records added after the count
// was taken) must not cut the result: paging follows the records to the
// first short page, keeps every one in order, and says the count was low.
func TestRecordsBeyondTotalCountAreNotDroppedSilently(t *testing.T) {
	cases := []struct {
		name         string
		images       int
		total        int
		wantRequests int // ceil(images/100): the short last page ends it
	}{
		{name: "TotalCount below the data", images: 537, total: 150, wantRequests: 6},
		{name: "TotalCount 0 with a page of images", images: 3, total: 0, wantRequests: 1},
		{name: "TotalCount 0 with pages of images", images: 250, total: 0, wantRequests: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, calls := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
				size, _ := strconv.Atoi(r.URL.Query().Get("PageSize"))
				page, _ := strconv.Atoi(r.URL.Query().Get("CurrentPage"))
				start := min((page-1)*size, tc.images)
				end := min(start+size, tc.images)
				var list []string
				for i := start; i < end; i++ {
					list = append(list, fmt.Sprintf(`{"Uuid":"u%d"}`, i))
				}
				fmt.Fprintf(w, `{"RequestId":"R","PageInfo":{"CurrentPage":%d,"PageSize":%d,"TotalCount":%d,"Count":%d},"ImageInstanceList":[%s]}`,
					page, size, tc.total, len(list), strings.Join(list, ","))
			})
			c := clientFor(t, endpoint)
			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			want := make([]string, tc.images)
			for i := range want {
				want[i] = fmt.Sprintf("u%d", i)
			}
			if got := uuids(listing.Items); !slices.Equal(got, want) {
				t.Errorf("kept %d of the %d images served (anomalies %+v), want all in order", len(got), tc.images, listing.Anomalies)
			}
			if want := []Anomaly{{Kind: AnomalyExceeded, Reported: tc.total, Seen: tc.images}}; !slices.Equal(listing.Anomalies, want) {
				t.Errorf("Anomalies = %+v, want %+v", listing.Anomalies, want)
			}
			if calls() != tc.wantRequests {
				t.Errorf("service saw %d requests, want %d", calls(), tc.wantRequests)
			}
		})
	}
}

// recountService serves 240 images in pages of what is asked; the pages
// report pageTotal (laterTotal from page 2 on, when set) and the count
// asked again (page 1 of one record) reports recountTotal, or fails when
// recountDenied. Every answer has its own request id, R1, R2, … in
// arrival order.
type recountService struct {
	images                int
	pageTotal, laterTotal int
	recountTotal          int
	recountDenied         bool

	mu       sync.Mutex
	calls    int
	recounts []int // the calls that asked for the count again
}

func (s *recountService) serveHTTP(w http.ResponseWriter, r *http.Request) {
	size, _ := strconv.Atoi(r.URL.Query().Get("PageSize"))
	page, _ := strconv.Atoi(r.URL.Query().Get("CurrentPage"))
	s.mu.Lock()
	s.calls++
	call := s.calls
	recount := page == 1 && size == 1
	if recount {
		s.recounts = append(s.recounts, call)
	}
	s.mu.Unlock()
	total := s.pageTotal
	switch {
	case recount && s.recountDenied:
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprint(w, `{"RequestId":"D","Code":"NoPermission","Message":"caller has no permission"}`)
		return
	case recount:
		total = s.recountTotal
	case page > 1 && s.laterTotal > 0:
		total = s.laterTotal
	}
	start := min((page-1)*size, s.images)
	end := min(start+size, s.images)
	var list []string
	for i := start; i < end; i++ {
		list = append(list, fmt.Sprintf(`{"Uuid":"u%d"}`, i))
	}
	fmt.Fprintf(w, `{"RequestId":"R%d","PageInfo":{"CurrentPage":%d,"PageSize":%d,"TotalCount":%d},"ImageInstanceList":[%s]}`,
		call, page, size, total, strings.Join(list, ","))
}

// A listing that comes up short of the count asks for the count once more,
// as page 1 of one record: when the service now counts no more than were
// read, records were removed during the read and the count changed;
// otherwise the listing is short of the later count. The extra request is
// counted, its request id kept last; a listing that is not short makes none.
func TestShortListingCountsAgainOnce(t *testing.T) {
	const images = 240 // pages of 100: 100, 100, 40
	cases := []struct {
		name                  string
		pageTotal, laterTotal int
		recountTotal          int
		maxResults            int
		wantRecount           bool
		wantAnomalies         []Anomaly
	}{
		{name: "not short: no count again", pageTotal: images,
			wantAnomalies: nil},
		{name: "still short of the same count", pageTotal: 250, recountTotal: 250, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyShort, Reported: 250, Seen: images}}},
		{name: "short of a later, lower count", pageTotal: 250, recountTotal: 245, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyShort, Reported: 245, Seen: images}}},
		{name: "the later count is what was read: removed meanwhile", pageTotal: 250, recountTotal: images, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyCountChanged, Reported: 250, Seen: images}}},
		{name: "the later count is below what was read", pageTotal: 250, recountTotal: 230, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyCountChanged, Reported: 250, Seen: 230}}},
		{name: "a later page already reported the change", pageTotal: 250, laterTotal: 245, recountTotal: images, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyCountChanged, Reported: 250, Seen: 245}}},
		{name: "MaxResults, still short of it", pageTotal: 250, recountTotal: 250, maxResults: 245, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyShort, Reported: 245, Seen: images}}},
		{name: "MaxResults, short of a later count below it", pageTotal: 250, recountTotal: 242, maxResults: 245, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyShort, Reported: 242, Seen: images}}},
		{name: "MaxResults, the later count is what was read", pageTotal: 250, recountTotal: images, maxResults: 245, wantRecount: true,
			wantAnomalies: []Anomaly{{Kind: AnomalyCountChanged, Reported: 250, Seen: images}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc := &recountService{images: images, pageTotal: tc.pageTotal, laterTotal: tc.laterTotal, recountTotal: tc.recountTotal}
			endpoint, _ := stubServer(t, svc.serveHTTP)
			c := clientFor(t, endpoint)
			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxResults: tc.maxResults, MaxConcurrency: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(listing.Items) != images {
				t.Errorf("%d images, want the %d served", len(listing.Items), images)
			}
			if !slices.Equal(listing.Anomalies, tc.wantAnomalies) {
				t.Errorf("Anomalies = %+v, want %+v", listing.Anomalies, tc.wantAnomalies)
			}
			if want := slices.ContainsFunc(tc.wantAnomalies, func(a Anomaly) bool { return a.Kind == AnomalyShort }); listing.Short() != want {
				t.Errorf("Short() = %v, want %v", listing.Short(), want)
			}
			const pages = 3
			wantRequests, wantRecounts := pages, []int(nil)
			if tc.wantRecount {
				wantRequests, wantRecounts = pages+1, []int{pages + 1}
			}
			if svc.calls != wantRequests || listing.Requests != wantRequests || !slices.Equal(svc.recounts, wantRecounts) {
				t.Errorf("service saw %d requests, the count asked again at calls %v, the listing counts %d; want %d, %v",
					svc.calls, svc.recounts, listing.Requests, wantRequests, wantRecounts)
			}
			var wantIDs []string
			for k := range wantRequests {
				wantIDs = append(wantIDs, fmt.Sprintf("R%d", k+1))
			}
			if !slices.Equal(listing.RequestIDs, wantIDs) {
				t.Errorf("RequestIDs = %q, want %q: the pages, then the count again", listing.RequestIDs, wantIDs)
			}
		})
	}
}

// Counting again is a request like the others: when it fails, the listing
// fails, saying so, never handed back as if its count were known.
func TestFailedCountAgainFailsTheListing(t *testing.T) {
	svc := &recountService{images: 240, pageTotal: 250, recountDenied: true}
	endpoint, _ := stubServer(t, svc.serveHTTP)
	c := clientFor(t, endpoint)
	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxConcurrency: 1})
	var apiErr *APIError
	if listing != nil || !errors.As(err, &apiErr) || apiErr.Code != "NoPermission" || !strings.Contains(err.Error(), "counting again") {
		t.Fatalf("listing %v, error %v; want no listing and the NoPermission of counting again", listing, err)
	}
	if len(svc.recounts) != 1 {
		t.Errorf("the count was asked again %d times, want once", len(svc.recounts))
	}
}
