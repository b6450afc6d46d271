package fakesas

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// vulRowsOf reads every row a DescribeImageVulList query selects, page by
// page, through the real client, and checks the page fields on the way.
func vulRowsOf(t *testing.T, s *Server, query map[string]string) (rows []map[string]any, total int) {
	t.Helper()
	client := newClient(t, s, defaultCreds)
	for page := 1; ; page++ {
		q := map[string]string{"Type": "cve", "PageSize": "100", "CurrentPage": strconv.Itoa(page)}
		for k, v := range query {
			q[k] = v
		}
		body := mustCall(t, client, actionDescribeImageVulList, q)
		records, _ := body["VulRecords"].([]any)
		total = int(fieldNumber(body["TotalCount"]))
		if got := int(fieldNumber(body["CurrentPage"])); got != page {
			t.Fatalf("CurrentPage %d, want %d", got, page)
		}
		for _, r := range records {
			rows = append(rows, r.(map[string]any))
		}
		if len(records) == 0 || len(rows) >= total {
			return rows, total
		}
	}
}

func statusOf(row map[string]any) int { return int(fieldNumber(row["Status"])) }

func TestVulnerabilityRowsFollowTheImage(t *testing.T) {
	images := GenerateImages(300, 7)
	s := startServer(t, Options{Images: images})
	var scanned, unscanned, withFixed, withFixing int
	for _, img := range images {
		uuid := fieldString(img["Uuid"])
		rows, total := vulRowsOf(t, s, map[string]string{"Uuids": uuid})
		if total != len(rows) {
			t.Fatalf("%s: TotalCount %d for %d rows", uuid, total, len(rows))
		}
		if !isScanned(img) {
			unscanned++
			if total != 0 {
				t.Fatalf("unscanned image %s (ScaStatus %v) has %d rows, want none", uuid, img["ScaStatus"], total)
			}
			continue
		}
		scanned++
		counts := map[int]int{}
		names := map[string]bool{}
		for _, r := range rows {
			counts[statusOf(r)]++
			names[fieldString(r["Name"])] = true
			if fieldString(r["Uuid"]) != uuid || fieldString(r["ImageDigest"]) != fieldString(img["Digest"]) ||
				fieldString(r["RepoName"]) != fieldString(img["RepoName"]) {
				t.Fatalf("row %v does not belong to image %v", r, img)
			}
		}
		if want := int(fieldNumber(img["VulCount"])); counts[VulStatusUnfixed] != want {
			t.Fatalf("image %s has VulCount %d but %d unfixed rows", uuid, want, counts[VulStatusUnfixed])
		}
		if len(names) != len(rows) {
			t.Fatalf("image %s: %d rows but %d distinct names", uuid, len(rows), len(names))
		}
		withFixed += min(counts[VulStatusFixed], 1)
		withFixing += min(counts[VulStatusFixing], 1)
		if got := s.VulnerabilityRows(uuid); len(got) != len(rows) {
			t.Fatalf("VulnerabilityRows(%s) has %d rows, the wire %d", uuid, len(got), len(rows))
		}
	}
	if scanned == 0 || unscanned == 0 || withFixed == 0 || withFixing == 0 {
		t.Fatalf("the dataset lacks a case: %d scanned, %d unscanned, %d with fixed rows, %d with rows being fixed", scanned, unscanned, withFixed, withFixing)
	}
}

func TestVulnerabilityRowsChangeWithTheImage(t *testing.T) {
	img := Image{"Uuid": "u-1", "RepoName": "repo", "Digest": "d1", "ScaStatus": "SUCCESS", "LastScanTime": int64(1700000000000), "VulCount": 3}
	s := startServer(t, Options{Images: []Image{img}})
	before := s.VulnerabilityRows("u-1")

	rescanned := Image{}
	for k, v := range img {
		rescanned[k] = v
	}
	rescanned["VulCount"], rescanned["LastScanTime"] = 5, int64(1700000999000)
	s.SetImages([]Image{rescanned})
	after, total := vulRowsOf(t, s, map[string]string{"Uuids": "u-1", "StatusList": "1"})
	if total != 5 || len(before) < 3 {
		t.Fatalf("after a rescan finding 5 vulnerabilities: %d unfixed rows (before: %d rows)", total, len(before))
	}
	for _, r := range after {
		if fieldNumber(r["LastTs"]) != 1700000999000 {
			t.Fatalf("row %v still dated from the previous scan", r)
		}
	}
	for k := range 3 { // the vulnerabilities found before are still found
		if before[k]["Name"] != after[k]["Name"] {
			t.Fatalf("row %d was %v, is %v", k, before[k]["Name"], after[k]["Name"])
		}
	}

	rescanned["ScaStatus"], rescanned["LastScanTime"] = "INIT", int64(0)
	s.SetImages([]Image{rescanned})
	if _, total := vulRowsOf(t, s, map[string]string{"Uuids": "u-1"}); total != 0 {
		t.Fatalf("an image back to INIT has %d rows", total)
	}
}

// TestVulnerabilityQuirksAppear proves the dataset exercises every odd wire
// form a client must accept.
func TestVulnerabilityQuirksAppear(t *testing.T) {
	s := startServer(t, Options{Images: GenerateImages(100, 3)})
	rows, _ := vulRowsOf(t, s, nil)
	found := map[string]bool{}
	names := map[string]bool{}
	for _, r := range rows {
		names[fieldString(r["Name"])] = true
		_, extendIsString := r["ExtendContentJson"].(string)
		_, statusIsString := r["Status"].(string)
		_, idIsString := r["PrimaryId"].(string)
		_, firstIsString := r["FirstTs"].(string)
		_, hasScanTime := r["ScanTime"]
		for quirk, present := range map[string]bool{
			"ExtendContentJson as a string":  extendIsString,
			"ExtendContentJson as an object": !extendIsString,
			"Status as a numeric string":     statusIsString,
			"PrimaryId as a numeric string":  idIsString,
			"FirstTs as a numeric string":    firstIsString,
			"ModifyTs 0":                     fieldNumber(r["ModifyTs"]) == 0,
			"ScanTime absent":                !hasScanTime,
			"several CVE ids in Related":     strings.Contains(fieldString(r["Related"]), ","),
			"can not fix":                    r["CanFix"] == "no",
		} {
			found[quirk] = found[quirk] || present
		}
	}
	for name := range names {
		cves := s.VulnerabilityDetails(name)
		found["details without a CVE"] = found["details without a CVE"] || len(cves) == 0
		for _, c := range cves {
			found["empty CvssScore"] = found["empty CvssScore"] || c["CvssScore"] == ""
			found["level serious"] = found["level serious"] || c["VulLevel"] == "serious"
			found["level low"] = found["level low"] || c["VulLevel"] == "low"
		}
	}
	for _, quirk := range []string{
		"ExtendContentJson as a string", "ExtendContentJson as an object", "Status as a numeric string",
		"PrimaryId as a numeric string", "FirstTs as a numeric string", "ModifyTs 0", "ScanTime absent",
		"several CVE ids in Related", "can not fix", "details without a CVE", "empty CvssScore", "level serious", "level low",
	} {
		if !found[quirk] {
			t.Errorf("no row shows %s", quirk)
		}
	}
}

func TestDescribeImageVulListFilters(t *testing.T) {
	images := GenerateImages(60, 11)
	s := startServer(t, Options{Images: images})
	var all []Record
	for _, img := range images {
		all = append(all, s.VulnerabilityRows(fieldString(img["Uuid"]))...)
	}
	pick := images[0]
	for _, img := range images {
		if isScanned(img) && fieldNumber(img["VulCount"]) > 0 {
			pick = img
			break
		}
	}
	firstName := fieldString(s.VulnerabilityRows(fieldString(pick["Uuid"]))[0]["Name"])
	byImage := func(field string) func(Record) bool {
		return func(r Record) bool {
			for _, img := range images {
				if img["Uuid"] == r["Uuid"] {
					return fieldString(img[field]) == fieldString(pick[field])
				}
			}
			return false
		}
	}
	cases := []struct {
		param, value string
		want         func(Record) bool
	}{
		{"Uuids", fmt.Sprintf("%v,%v", pick["Uuid"], images[1]["Uuid"]), func(r Record) bool { return r["Uuid"] == pick["Uuid"] || r["Uuid"] == images[1]["Uuid"] }},
		{"Digest", fieldString(pick["Digest"]), byImage("Digest")},
		{"Digest", "sha256:" + fieldString(pick["Digest"]), func(Record) bool { return false }},
		{"RepoName", fieldString(pick["RepoName"]), byImage("RepoName")},
		{"RepoNamespace", fieldString(pick["RepoNamespace"]), byImage("RepoNamespace")},
		{"RepoId", fieldString(pick["RepoId"]), byImage("RepoId")},
		{"RepoInstanceId", fieldString(pick["InstanceId"]), byImage("InstanceId")},
		{"RepoRegionId", fieldString(pick["RegionId"]), byImage("RegionId")},
		{"Name", firstName, func(r Record) bool { return r["Name"] == firstName }},
		{"Necessity", "asap", func(r Record) bool { return r["Necessity"] == "asap" }},
		{"StatusList", "4", func(r Record) bool { return fieldNumber(r["Status"]) == 4 }},
		{"StatusList", "7", func(r Record) bool { return fieldNumber(r["Status"]) == 7 }},
	}
	for _, tc := range cases {
		t.Run(tc.param+"="+tc.value, func(t *testing.T) {
			var want []string
			for _, r := range all {
				if tc.want(r) {
					want = append(want, fmt.Sprint(r["Uuid"], r["Name"]))
				}
			}
			rows, total := vulRowsOf(t, s, map[string]string{tc.param: tc.value})
			var got []string
			for _, r := range rows {
				got = append(got, fmt.Sprint(r["Uuid"], r["Name"]))
			}
			if total != len(want) || strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("TotalCount %d and %d rows, want %d rows", total, len(got), len(want))
			}
		})
	}
}

func TestDescribeImageVulListPaging(t *testing.T) {
	img := Image{"Uuid": "u-1", "RepoName": "repo", "ScaStatus": "SUCCESS", "LastScanTime": int64(1700000000000), "VulCount": 45}
	s := startServer(t, Options{Images: []Image{img}, MaxPageSize: 20})
	client := newClient(t, s, defaultCreds)
	rows := s.VulnerabilityRows("u-1")
	cases := []struct {
		query             map[string]string
		page, size, count int
	}{
		{map[string]string{}, 1, 10, 10},
		{map[string]string{"PageSize": "100"}, 1, 20, 20},
		{map[string]string{"PageSize": "100", "CurrentPage": "3"}, 3, 20, len(rows) - 40},
		{map[string]string{"PageSize": "20", "CurrentPage": "9223372036854775807"}, 9223372036854775807, 20, 0},
	}
	for _, tc := range cases {
		q := map[string]string{"Type": "cve"}
		for k, v := range tc.query {
			q[k] = v
		}
		body := mustCall(t, client, actionDescribeImageVulList, q)
		records, _ := body["VulRecords"].([]any)
		if fieldNumber(body["CurrentPage"]) != float64(tc.page) || int(fieldNumber(body["PageSize"])) != tc.size ||
			int(fieldNumber(body["TotalCount"])) != len(rows) || len(records) != tc.count {
			t.Fatalf("%v: page %v size %v total %v with %d rows, want %d %d %d with %d", tc.query,
				body["CurrentPage"], body["PageSize"], body["TotalCount"], len(records), tc.page, tc.size, len(rows), tc.count)
		}
		if tc.count > 0 {
			want := rows[(tc.page-1)*tc.size]["Name"]
			if got := records[0].(map[string]any)["Name"]; got != want {
				t.Fatalf("%v: first row %v, want %v", tc.query, got, want)
			}
		}
	}
}

func TestVulnerabilityParameterErrors(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(2)})
	client := newClient(t, s, defaultCreds)
	cases := []struct {
		action string
		query  map[string]string
		code   string
	}{
		{actionDescribeImageVulList, map[string]string{}, "MissingParameter"},
		{actionDescribeImageVulList, map[string]string{"Type": "sca"}, "InvalidParameter"},
		{actionDescribeImageVulList, map[string]string{"Type": "cve", "Necessity": "asap,later"}, "InvalidParameter"},
		{actionDescribeImageVulList, map[string]string{"Type": "cve", "StatusList": "1,7"}, "InvalidParameter"},
		{actionDescribeImageVulList, map[string]string{"Type": "cve", "Lang": "fr"}, "InvalidParameter"},
		{actionDescribeImageVulList, map[string]string{"Type": "cve", "PageSize": "0"}, "InvalidParameter"},
		{actionDescribeVulDetails, map[string]string{"Type": "cve", "Lang": "en"}, "MissingParameter"},
		{actionDescribeVulDetails, map[string]string{"Name": "debian:10:CVE-2018-10000", "Type": "cve"}, "MissingParameter"},
		{actionDescribeVulDetails, map[string]string{"Name": "debian:10:CVE-2018-10000", "Lang": "en"}, "MissingParameter"},
	}
	for _, tc := range cases {
		_, err := call(client, tc.action, tc.query)
		wantSDKError(t, err, tc.code, http.StatusBadRequest)
	}
}

func TestDescribeVulDetails(t *testing.T) {
	s := startServer(t, Options{Images: GenerateImages(20, 5)})
	client := newClient(t, s, defaultCreds)
	rows, _ := vulRowsOf(t, s, nil)
	for _, r := range rows[:min(len(rows), 30)] {
		name := fieldString(r["Name"])
		body := mustCall(t, client, actionDescribeVulDetails, map[string]string{"Name": name, "Type": "cve", "Lang": "en"})
		cves, _ := body["Cves"].([]any)
		want := s.VulnerabilityDetails(name)
		if len(cves) != len(want) {
			t.Fatalf("%s: %d CVEs, want %d", name, len(cves), len(want))
		}
		related := strings.Split(fieldString(r["Related"]), ",")
		for k, c := range cves {
			if id := c.(map[string]any)["CveId"]; len(related) <= k || id != related[k] {
				t.Fatalf("%s: CVE %d is %v, Related says %v", name, k, id, related)
			}
		}
	}
	body := mustCall(t, client, actionDescribeVulDetails, map[string]string{"Name": "nobody:1:CVE-1-1", "Type": "cve", "Lang": "zh"})
	if cves, ok := body["Cves"].([]any); !ok || len(cves) != 0 {
		t.Fatalf("an unknown name has Cves %v, want []", body["Cves"])
	}
}

func TestVulnerabilityOperationsHonourFaultsAndSignatures(t *testing.T) {
	s := startServer(t, Options{Images: GenerateImages(5, 1)})
	s.SetFaults(Fault{Kind: FaultNoPermission, Action: actionDescribeVulDetails})
	client := newClient(t, s, defaultCreds)
	if _, err := call(client, actionDescribeImageVulList, map[string]string{"Type": "cve"}); err != nil {
		t.Fatalf("a fault for DescribeVulDetails hit DescribeImageVulList: %v", err)
	}
	_, err := call(client, actionDescribeVulDetails, map[string]string{"Name": "x", "Type": "cve", "Lang": "en"})
	wantSDKError(t, err, "NoPermission", http.StatusForbidden)

	for _, action := range []string{actionDescribeImageVulList, actionDescribeVulDetails} {
		resp := doRaw(t, s.Endpoint(), rawRequest{action: action, query: map[string]string{"Type": "cve"}, creds: creds{ak: TestAccessKey, secret: "wrong"}})
		if resp.status != http.StatusBadRequest || resp.code() != "SignatureDoesNotMatch" {
			t.Fatalf("%s with a wrong secret: %d %s", action, resp.status, resp.body)
		}
	}
}
