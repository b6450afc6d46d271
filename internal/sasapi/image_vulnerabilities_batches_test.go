package sasapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// rowKeys lists the rows of images in order as "uuid|name", from the fake's
// own account of them.
func rowKeys(fake *fakesas.Server, uuids []string) []string {
	var out []string
	for _, u := range uuids {
		for _, r := range fake.VulnerabilityRows(u) {
			out = append(out, fmt.Sprintf("%v|%v", r["Uuid"], r["Name"]))
		}
	}
	return out
}

func scannedImages(n int) []fakesas.Image {
	images := make([]fakesas.Image, n)
	for k := range images {
		images[k] = fakesas.Image{
			"Uuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", k), "RepoName": fmt.Sprintf("repo-%d", k%10),
			"ScaStatus": "SUCCESS", "LastScanTime": int64(1700000000000), "VulCount": 1 + k%4,
		}
	}
	return images
}

func TestListImageVulnerabilitiesBatchesUuids(t *testing.T) {
	images := scannedImages(260)
	all := fakeUUIDs(images)
	cases := []struct {
		name       string
		uuids      []string
		maxResults int
		batches    [][]string // the Uuids each batch must carry
	}{
		{name: "one uuid", uuids: all[:1], batches: [][]string{all[:1]}},
		{name: "exactly one full batch", uuids: all[:UuidsPerRequest], batches: [][]string{all[:UuidsPerRequest]}},
		{name: "one more than a batch", uuids: all[:UuidsPerRequest+1], batches: [][]string{all[:100], all[100:101]}},
		{name: "two full batches, nothing after them", uuids: all[:2*UuidsPerRequest], batches: [][]string{all[:100], all[100:200]}},
		{name: "several batches", uuids: all[:250], batches: [][]string{all[:100], all[100:200], all[200:250]}},
		{name: "repeated uuids are read once", uuids: append(slices.Clone(all[:150]), all[:60]...), batches: [][]string{all[:100], all[100:150]}},
		{name: "max_results within the first batch", uuids: all[:250], maxResults: 7, batches: [][]string{all[:100], all[100:200], all[200:250]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: images, MaxPageSize: 50})
			c := clientFor(t, fake.Endpoint())
			listing, err := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: tc.uuids, Lang: "en"}, ListOptions{PageSize: 100, MaxResults: tc.maxResults})
			if err != nil {
				t.Fatal(err)
			}

			var wantKeys []string
			wantRequests, wantTotal := 0, 0
			for _, batch := range tc.batches {
				rows := len(rowKeys(fake, batch))
				wantTotal += rows
				wantKeys = append(wantKeys, rowKeys(fake, batch)...)
				// The fake serves 50 of the 100 asked; the first page says so.
				// Once max_results is reached, a batch is asked for one row.
				switch reached := tc.maxResults > 0 && len(wantKeys)-rows >= tc.maxResults; {
				case reached:
					wantRequests++
				case tc.maxResults > 0:
					wantRequests += (min(rows, tc.maxResults-(len(wantKeys)-rows)) + 49) / 50
				default:
					wantRequests += max(1, (rows+49)/50)
				}
			}
			if tc.maxResults > 0 {
				wantKeys = wantKeys[:tc.maxResults]
			}
			var gotKeys []string
			for _, r := range listing.Items {
				gotKeys = append(gotKeys, r.Uuid.Value+"|"+r.Name.Value)
			}
			if !slices.Equal(gotKeys, wantKeys) {
				t.Errorf("%d rows, want %d in batch order", len(gotKeys), len(wantKeys))
			}
			if listing.TotalCount != wantTotal {
				t.Errorf("TotalCount %d, want the sum over the batches, %d", listing.TotalCount, wantTotal)
			}
			if got := fake.Calls(ActionDescribeImageVulList); got != wantRequests || listing.Requests != wantRequests || len(listing.RequestIDs) != wantRequests {
				t.Errorf("%d requests (listing says %d, with %d request ids), want %d", got, listing.Requests, len(listing.RequestIDs), wantRequests)
			}
			if len(listing.Anomalies) != 0 {
				t.Errorf("anomalies %+v of a listing that did not move", listing.Anomalies)
			}

			var sent [][]string
			for _, r := range fake.Requests() {
				if r.Query.Get("CurrentPage") == "1" {
					sent = append(sent, strings.Split(r.Query.Get("Uuids"), ","))
				}
				if n := len(strings.Split(r.Query.Get("Uuids"), ",")); n > UuidsPerRequest {
					t.Errorf("a request carried %d Uuids", n)
				}
			}
			if !slices.EqualFunc(sent, tc.batches, slices.Equal) {
				t.Errorf("batches sent %v, want %v", batchSizes(sent), batchSizes(tc.batches))
			}
		})
	}
}

func batchSizes(batches [][]string) []int {
	out := make([]int, len(batches))
	for k, b := range batches {
		out[k] = len(b)
	}
	return out
}

// A bad Uuid anywhere fails the listing before any batch is sent.
func TestListImageVulnerabilitiesChecksEveryBatchFirst(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: scannedImages(3)})
	c := clientFor(t, fake.Endpoint())
	uuids := append(fakeUUIDs(scannedImages(150)), "")
	if _, err := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: uuids}, ListOptions{}); err == nil {
		t.Fatal("an empty Uuid in the second batch was accepted")
	}
	if n := fake.Calls(ActionDescribeImageVulList); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// A failing batch fails the listing: no partial result.
func TestListImageVulnerabilitiesFailsWithABatch(t *testing.T) {
	images := scannedImages(150)
	fake := startFake(t, fakesas.Options{Images: images})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: ActionDescribeImageVulList, Count: 1})
	c := clientFor(t, fake.Endpoint())
	listing, err := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: fakeUUIDs(images)}, ListOptions{})
	if err == nil || listing != nil || CategoryOf(err) != CategoryPermission || !strings.Contains(err.Error(), "request 1 of 2") {
		t.Fatalf("listing %v, error %v; want no listing and a permission error naming the request", listing, err)
	}
}

// Parts of a query merge in order: records appended, counts summed,
// request ids and anomalies kept in order, and the page size is the
// smallest any part was served.
func TestListingMergeSumsCountsAndKeepsTheSmallestPageSize(t *testing.T) {
	row := func(name string) VulRecord { return VulRecord{Name: String{Value: name, Valid: true}} }
	merged := &Listing[VulRecord]{Items: []VulRecord{}}
	short := Anomaly{Kind: AnomalyShort, Reported: 9, Seen: 7}
	repeated := Anomaly{Kind: AnomalyRepeated, Reported: 2, Seen: 1}
	parts := []*Listing[VulRecord]{
		{Items: []VulRecord{row("a"), row("b")}, TotalCount: 2, PageSize: 100, Requests: 1, Retries: 2, Duplicates: 1,
			RequestIDs: []string{"r1"}, Anomalies: []Anomaly{repeated}},
		{Items: []VulRecord{row("c")}, TotalCount: 7, PageSize: 50, Requests: 3, RequestIDs: []string{"r2", "r3", "r4"}},
		{Items: []VulRecord{}, TotalCount: 0, PageSize: 100, Requests: 1, Retries: 1, RequestIDs: []string{"r5"}, Anomalies: []Anomaly{short}},
	}
	wantPageSize := []int{100, 50, 50}
	for k, part := range parts {
		merged.merge(part)
		if merged.PageSize != wantPageSize[k] {
			t.Errorf("after part %d: page size %d, want %d", k+1, merged.PageSize, wantPageSize[k])
		}
	}
	var names []string
	for _, r := range merged.Items {
		names = append(names, r.Name.Value)
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Errorf("rows %v, want a,b,c in order", names)
	}
	if merged.TotalCount != 9 || merged.Requests != 5 || merged.Retries != 3 || merged.Duplicates != 1 {
		t.Errorf("total %d, requests %d, retries %d, duplicates %d; want 2+7+0, 1+3+1, 2+0+1, 1",
			merged.TotalCount, merged.Requests, merged.Retries, merged.Duplicates)
	}
	if want := []string{"r1", "r2", "r3", "r4", "r5"}; !slices.Equal(merged.RequestIDs, want) {
		t.Errorf("request ids %q, want %q", merged.RequestIDs, want)
	}
	if want := []Anomaly{repeated, short}; !slices.Equal(merged.Anomalies, want) || !merged.Short() {
		t.Errorf("anomalies %+v (short %v), want %+v", merged.Anomalies, merged.Short(), want)
	}
}

// Exactly UuidsPerRequest Uuids are one request's worth: an error says
// nothing of batches, which the user never asked for.
func TestOneFullBatchIsReadAsOneListing(t *testing.T) {
	images := scannedImages(UuidsPerRequest)
	fake := startFake(t, fakesas.Options{Images: images})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: ActionDescribeImageVulList, Count: 1})
	c := clientFor(t, fake.Endpoint())
	_, err := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: fakeUUIDs(images)}, ListOptions{})
	if err == nil || CategoryOf(err) != CategoryPermission {
		t.Fatalf("error %v, want the permission error", err)
	}
	if strings.Contains(err.Error(), "request 1 of") {
		t.Errorf("error %q speaks of several requests for %d Uuids", err, UuidsPerRequest)
	}
}

// splitService answers DescribeImageVulList with one row per Uuid asked
// for, pages of what is asked (capped at 60), each answer with its own
// request id, R1, R2, … in arrival order. The first batch's later pages
// report one row more than its first (a count that changed); the second
// batch reports three rows more than it has, and so comes up short.
type splitService struct {
	first string // the first Uuid of the first batch

	mu      sync.Mutex
	calls   int
	queries []url.Values
}

func (s *splitService) serveHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.calls++
	call := s.calls
	s.queries = append(s.queries, q)
	s.mu.Unlock()
	uuids := strings.Split(q.Get("Uuids"), ",")
	size, _ := strconv.Atoi(q.Get("PageSize"))
	page, _ := strconv.Atoi(q.Get("CurrentPage"))
	size = min(size, 60)
	total := len(uuids)
	switch {
	case uuids[0] != s.first:
		total += 3
	case page > 1:
		total++
	}
	start := min((page-1)*size, len(uuids))
	end := min(start+size, len(uuids))
	var rows []string
	for _, u := range uuids[start:end] {
		rows = append(rows, fmt.Sprintf(`{"Uuid":%q,"Name":"debian:10:CVE-1","PrimaryId":1}`, u))
	}
	fmt.Fprintf(w, `{"RequestId":"R%d","CurrentPage":%d,"PageSize":%d,"TotalCount":%d,"VulRecords":[%s]}`,
		call, page, size, total, strings.Join(rows, ","))
}

// More Uuids than one request carries are read as one listing per batch,
// one after the other, merged: rows in batch order, counts summed, request
// ids in the order sent (the second batch's count asked again last), and
// each batch's anomalies, measured against that batch's own count.
func TestListSplitMergesTheBatches(t *testing.T) {
	uuids := fakeUUIDs(scannedImages(150)) // batches of 100 and 50
	svc := &splitService{first: uuids[0]}
	endpoint, _ := stubServer(t, svc.serveHTTP)
	c := clientFor(t, endpoint)
	listing, err := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: uuids, Lang: "en"}, ListOptions{PageSize: 100, MaxConcurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range listing.Items {
		got = append(got, r.Uuid.Value)
	}
	if !slices.Equal(got, uuids) {
		t.Errorf("%d rows, want one per Uuid in batch order", len(got))
	}
	// Batch 1: pages of 60 and 40, the second counting 101. Batch 2: one
	// page, its 50 rows fewer than the 60 served (so the last), of the 53
	// counted; then the count again.
	wantAnomalies := []Anomaly{
		{Kind: AnomalyCountChanged, Reported: 100, Seen: 101},
		{Kind: AnomalyShort, Reported: 53, Seen: 50},
	}
	if !slices.Equal(listing.Anomalies, wantAnomalies) || !listing.Short() {
		t.Errorf("Anomalies = %+v (short %v), want %+v", listing.Anomalies, listing.Short(), wantAnomalies)
	}
	if listing.TotalCount != 100+53 || listing.Requests != 2+2 || listing.PageSize != 60 || listing.Duplicates != 0 {
		t.Errorf("TotalCount %d, Requests %d, PageSize %d, Duplicates %d; want 153, 4, 60, 0",
			listing.TotalCount, listing.Requests, listing.PageSize, listing.Duplicates)
	}
	if want := []string{"R1", "R2", "R3", "R4"}; !slices.Equal(listing.RequestIDs, want) {
		t.Errorf("RequestIDs = %q, want %q", listing.RequestIDs, want)
	}
	if listing.Action != ActionDescribeImageVulList || listing.Noun != DescribeImageVulList.Noun {
		t.Errorf("Action, Noun = %q, %q", listing.Action, listing.Noun)
	}
	if len(svc.queries) != 4 {
		t.Fatalf("the service saw %d requests, want 4", len(svc.queries))
	}
	recount := svc.queries[3]
	if recount.Get("CurrentPage") != "1" || recount.Get("PageSize") != "1" || recount.Get("Uuids") != strings.Join(uuids[100:], ",") {
		t.Errorf("last request: page %s of %s for %d Uuids; want the second batch's count again (page 1 of 1)",
			recount.Get("CurrentPage"), recount.Get("PageSize"), len(strings.Split(recount.Get("Uuids"), ",")))
	}
}
