package fakesas

import (
	"bytes"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// referenceVulListPage is a DescribeImageVulList page built as the fake
// built it before rows were cached: every row rendered by record and the
// whole page encoded at once.
func referenceVulListPage(t *testing.T, s *Server, q url.Values, requestID string) []byte {
	t.Helper()
	vq, e := parseVulListQuery(q, s.maxPageSize)
	if e != nil {
		t.Fatalf("query %v: %v", q, e)
	}
	data, _ := s.snapshotImages()
	first := (vq.page - 1) * vq.pageSize
	page := []Record{}
	total := 0
	for i, img := range data.images {
		if !vq.matchesImage(img) {
			continue
		}
		for _, r := range s.catalogue.imageRows(i, img) {
			if !vq.matchesRow(r) {
				continue
			}
			if total >= first && len(page) < vq.pageSize {
				page = append(page, r.record(img))
			}
			total++
		}
	}
	b, err := marshalJSON(struct {
		RequestID   string   `json:"RequestId"`
		CurrentPage int      `json:"CurrentPage"`
		PageSize    int      `json:"PageSize"`
		TotalCount  int      `json:"TotalCount"`
		VulRecords  []Record `json:"VulRecords"`
	}{requestID, vq.page, vq.pageSize, total, page})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Cached rows change nothing served: every page of several queries is
// byte for byte the page encoded from fresh records, on the first request
// (which fills the cache) and on a second one (which reads it).
func TestDescribeImageVulListCachedRowsAreTheRecords(t *testing.T) {
	images := GenerateImages(120, 9)
	s := New(Options{Images: images})
	queries := []url.Values{
		{"PageSize": {"100"}},
		{"PageSize": {"7"}, "StatusList": {"1"}},
		{"PageSize": {"33"}, "Necessity": {"asap"}},
		{"PageSize": {"50"}, "Uuids": {fieldString(images[3]["Uuid"]) + "," + fieldString(images[40]["Uuid"])}},
	}
	pages := 0
	for _, q := range queries {
		q.Set("Type", "cve")
		for page := 1; ; page++ {
			q.Set("CurrentPage", strconv.Itoa(page))
			want := referenceVulListPage(t, s, q, `req "1" <&>`)
			for pass := range 2 {
				got, e := s.describeImageVulList(q, `req "1" <&>`)
				if e != nil {
					t.Fatalf("%v: %v", q, e)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%v, request %d: served\n%s\nwant\n%s", q, pass+1, got, want)
				}
			}
			pages++
			if !bytes.Contains(want, []byte(`"Uuid"`)) {
				break
			}
		}
	}
	if pages < 20 {
		t.Fatalf("only %d pages compared", pages)
	}
}

// A scan that changes an image whose rows were served changes the rows
// served next: the cache belongs to the dataset the scan replaces.
func TestVulnerabilityRowsFollowAScanAfterBeingServed(t *testing.T) {
	s, client, clock := scanFake(t, ScanOptions{Duration: 4 * time.Minute, Findings: map[string]Findings{digestB: {Vul: 2}}})
	unfixed := func() (rows []map[string]any) {
		rows, _ = vulRowsOf(t, s, map[string]string{"Uuids": "u-b", "StatusList": "1"})
		return rows
	}
	if before := unfixed(); len(before) != 4 {
		t.Fatalf("before the scan, %d unfixed rows, want the image's VulCount 4", len(before))
	}
	createScan(t, client, map[string]string{"Digests": digestB, "RepoNames": "app", "RegionIds": "cn-hangzhou"})
	if during := unfixed(); len(during) != 4 { // isScanned: a scan time and a status past INIT
		t.Fatalf("during the rescan, %d unfixed rows, want the previous scan's 4", len(during))
	}
	clock.advance(5 * time.Minute)
	after := unfixed()
	if len(after) != 2 {
		t.Fatalf("after a scan finding 2 vulnerabilities, %d unfixed rows", len(after))
	}
	img := imageByUUID(t, client, "u-b")
	for _, r := range after {
		if fieldNumber(r["LastTs"]) != fieldNumber(img["LastScanTime"]) || fieldNumber(r["LastTs"]) == 1700000000000 {
			t.Fatalf("row %v not dated from the new scan (%v)", r["LastTs"], img["LastScanTime"])
		}
	}
}
