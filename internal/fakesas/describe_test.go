package fakesas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestPaging(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(45), MaxPageSize: 30})
	client := newClient(t, s, defaultCreds)
	cases := []struct {
		name              string
		query             map[string]string
		page, size, count int
		first             string
	}{
		{"defaults", nil, 1, 20, 20, "img-0"},
		{"second page", map[string]string{"CurrentPage": "2", "PageSize": "20"}, 2, 20, 20, "img-20"},
		{"last partial page", map[string]string{"CurrentPage": "3", "PageSize": "20"}, 3, 20, 5, "img-40"},
		{"past the end", map[string]string{"CurrentPage": "4", "PageSize": "20"}, 4, 20, 0, ""},
		{"far past the end", map[string]string{"CurrentPage": "9223372036854775807", "PageSize": "20"}, 9223372036854775807, 20, 0, ""},
		{"size capped", map[string]string{"PageSize": "500"}, 1, 30, 30, "img-0"},
		{"capped second page", map[string]string{"PageSize": "500", "CurrentPage": "2"}, 2, 30, 15, "img-30"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := mustCall(t, client, "DescribeImageInstances", tc.query)
			info := pageInfoOf(t, body)
			want := map[string]int{"CurrentPage": tc.page, "PageSize": tc.size, "TotalCount": 45, "Count": tc.count}
			if !reflect.DeepEqual(info, want) {
				t.Fatalf("PageInfo %v, want %v", info, want)
			}
			ids := pageOfUUIDs(t, body)
			if len(ids) != tc.count || (tc.count > 0 && ids[0] != tc.first) {
				t.Fatalf("got %d images starting %v, want %d starting %s", len(ids), ids, tc.count, tc.first)
			}
		})
	}
}

func TestDefaultMaxPageSize(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(150)})
	body := mustCall(t, newClient(t, s, defaultCreds), "DescribeImageInstances", map[string]string{"PageSize": "1000"})
	if info := pageInfoOf(t, body); info["PageSize"] != 100 || info["Count"] != 100 {
		t.Fatalf("PageInfo %v", info)
	}
}

func TestInvalidParameters(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(3)})
	client := newClient(t, s, defaultCreds)
	cases := []struct {
		name    string
		query   map[string]string
		mention string
	}{
		{"zero page size", map[string]string{"PageSize": "0"}, "PageSize"},
		{"negative page size", map[string]string{"PageSize": "-5"}, "PageSize"},
		{"non-numeric page size", map[string]string{"PageSize": "ten"}, "PageSize"},
		{"zero page", map[string]string{"CurrentPage": "0"}, "CurrentPage"},
		{"non-numeric page", map[string]string{"CurrentPage": "x"}, "CurrentPage"},
		{"bad logical expression", map[string]string{"LogicalExp": "XOR"}, "LogicalExp"},
		{"bad scanned", map[string]string{"Scanned": "maybe"}, "Scanned"},
		{"malformed criteria", map[string]string{"Criteria": `[{"name":"tag",`}, "Criteria"},
		{"criteria not an array", map[string]string{"Criteria": `{"name":"tag"}`}, "Criteria"},
		{"unknown criteria name", map[string]string{"Criteria": `[{"name":"colour","value":"red"}]`}, `"colour"`},
		{"object criteria value", map[string]string{"Criteria": `[{"name":"tag","value":{"a":1}}]`}, "Criteria"},
		{"bad per-criterion logicalExp", map[string]string{"Criteria": `[{"name":"tag","value":"1","logicalExp":"NOT"}]`}, "logicalExp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call(client, "DescribeImageInstances", tc.query)
			wantSDKError(t, err, "InvalidParameter", 400)
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q does not mention %s", err, tc.mention)
			}
		})
	}
}

// criteriaJSON builds a Criteria parameter from name/value pairs.
func criteriaJSON(t *testing.T, pairs ...string) string {
	t.Helper()
	var list []map[string]string
	for i := 0; i+1 < len(pairs); i += 2 {
		list = append(list, map[string]string{"name": pairs[i], "value": pairs[i+1], "logicalExp": "AND"})
	}
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCriteriaFiltering(t *testing.T) {
	images := []Image{
		{"Uuid": "a", "RepoName": "payments-api", "Tag": "1.0.0", "VulStatus": "YES", "InstanceId": "cri-1", "RegionId": "cn-hangzhou", "ImageId": "i-a", "ScaStatus": "SUCCESS", "LastScanTime": 1700000000000},
		{"Uuid": "b", "RepoName": "payments-api", "Tag": "1.0.1", "VulStatus": "NO", "InstanceId": "cri-1", "RegionId": "cn-shanghai", "ImageId": "i-b", "ScaStatus": "SUCCESS", "LastScanTime": "1700000000001"},
		{"Uuid": "c", "RepoName": "auth-service", "Tag": 2, "VulStatus": "YES", "InstanceId": "cri-2", "ScaStatus": "INIT", "LastScanTime": 0},
		{"Uuid": "d", "RepoName": "auth-service", "Tag": nil, "VulStatus": nil, "ScaStatus": "FAIL", "LastScanTime": 0},
		{"Uuid": "e", "RepoName": "cart", "ScaStatus": "INIT", "LastScanTime": 1700000000000},
		{"Uuid": "f", "RepoName": "cart", "LastScanTime": 1700000000000},
	}
	s := startServer(t, Options{Images: images})
	client := newClient(t, s, defaultCreds)
	cases := []struct {
		name  string
		query map[string]string
		want  string
	}{
		{"no criteria", nil, "a,b,c,d,e,f"},
		{"one criterion", map[string]string{"Criteria": criteriaJSON(t, "repoName", "payments-api")}, "a,b"},
		{"AND by default", map[string]string{"Criteria": criteriaJSON(t, "repoName", "payments-api", "vulStatus", "YES")}, "a"},
		{"explicit AND", map[string]string{"LogicalExp": "AND", "Criteria": criteriaJSON(t, "repoName", "auth-service", "vulStatus", "YES")}, "c"},
		{"OR", map[string]string{"LogicalExp": "OR", "Criteria": criteriaJSON(t, "regionId", "cn-shanghai", "instanceId", "cri-2")}, "b,c"},
		{"capital ImageId", map[string]string{"Criteria": criteriaJSON(t, "ImageId", "i-b")}, "b"},
		{"lower imageId", map[string]string{"Criteria": criteriaJSON(t, "imageId", "i-a")}, "a"},
		{"uuid", map[string]string{"Criteria": criteriaJSON(t, "uuid", "e")}, "e"},
		{"number matched by decimal form", map[string]string{"Criteria": criteriaJSON(t, "tag", "2")}, "c"},
		{"numeric JSON value", map[string]string{"Criteria": `[{"name":"tag","value":2}]`}, "c"},
		{"no match", map[string]string{"Criteria": criteriaJSON(t, "repoName", "PAYMENTS-API")}, ""},
		{"empty criteria array", map[string]string{"Criteria": "[]"}, "a,b,c,d,e,f"},
		{"scanned", map[string]string{"Scanned": "true"}, "a,b"},
		{"not scanned", map[string]string{"Scanned": "false"}, "c,d,e,f"},
		{"scanned and criteria", map[string]string{"Scanned": "true", "Criteria": criteriaJSON(t, "vulStatus", "YES")}, "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := mustCall(t, client, "DescribeImageInstances", tc.query)
			got := strings.Join(pageOfUUIDs(t, body), ",")
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if total := pageInfoOf(t, body)["TotalCount"]; total != len(pageOfUUIDs(t, body)) {
				t.Fatalf("TotalCount %d", total)
			}
		})
	}
}

// TestRecordsServedVerbatim checks quirks survive: numeric strings, nulls,
// missing fields, nested values.
func TestRecordsServedVerbatim(t *testing.T) {
	img := Image{"Uuid": "q", "VulCount": "12", "HcCount": nil, "ImageSize": "1604487690", "LastScanTime": 1721363159000, "Extra": map[string]any{"k": []any{1, "x"}}}
	s := startServer(t, Options{Images: []Image{img}})
	resp := doRaw(t, s.Endpoint(), rawRequest{})
	var body struct {
		ImageInstanceList []map[string]json.RawMessage
	}
	if err := json.Unmarshal(resp.body, &body); err != nil {
		t.Fatalf("decode %s: %v", resp.body, err)
	}
	got := body.ImageInstanceList[0]
	want := map[string]string{"Uuid": `"q"`, "VulCount": `"12"`, "HcCount": `null`, "ImageSize": `"1604487690"`, "LastScanTime": `1721363159000`, "Extra": `{"k":[1,"x"]}`}
	if len(got) != len(want) {
		t.Fatalf("got fields %v", got)
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestTotalCountOverride(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(5)})
	client := newClient(t, s, defaultCreds)
	s.SetTotalCountOverride(12)
	for page, wantCount := range map[int]int{1: 5, 2: 0, 3: 0} {
		body := mustCall(t, client, "DescribeImageInstances", map[string]string{"PageSize": "5", "CurrentPage": fmt.Sprint(page)})
		info := pageInfoOf(t, body)
		if info["TotalCount"] != 12 || info["Count"] != wantCount {
			t.Fatalf("page %d: %v", page, info)
		}
	}
	s.SetTotalCountOverride(0)
	if info := pageInfoOf(t, mustCall(t, client, "DescribeImageInstances", nil)); info["TotalCount"] != 5 {
		t.Fatalf("override not cleared: %v", info)
	}
}

func TestDescribeImageCriteria(t *testing.T) {
	images := []Image{
		{"RepoName": "payments-api", "Tag": "1.4.2", "InstanceId": "cri-abc", "Digest": "FEEDBEEF"},
	}
	custom := []CriteriaEntry{{Name: "repoName", Type: "input"}, {Name: "colour", Type: "select", Values: "red,green"}}
	cases := []struct {
		name     string
		criteria []CriteriaEntry
		value    string
		want     []string
	}{
		{"all default", nil, "", []string{"instanceId", "repoName", "repoId", "repoNamespace", "regionId", "ImageId", "tag", "digest", "vulStatus", "alarmStatus", "hcStatus", "riskStatus", "registryType"}},
		{"name match", nil, "STATUS", []string{"vulStatus", "alarmStatus", "hcStatus", "riskStatus"}},
		{"select value match", nil, "harb", []string{"registryType"}},
		{"dataset value match", nil, "PAYMENTS", []string{"repoName"}},
		{"dataset value match, case folded", nil, "beef", []string{"digest"}},
		{"several fields", nil, "1.4", []string{"tag"}},
		{"repo matches name and id", nil, "repo", []string{"repoName", "repoId", "repoNamespace"}},
		{"nothing", nil, "zzz", []string{}},
		{"custom list", custom, "", []string{"repoName", "colour"}},
		{"custom select", custom, "GREEN", []string{"colour"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Options{Images: images, Criteria: tc.criteria})
			query := map[string]string{}
			if tc.value != "" {
				query["Value"] = tc.value
			}
			body := mustCall(t, newClient(t, s, defaultCreds), "DescribeImageCriteria", query)
			list, ok := body["CriteriaList"].([]any)
			if !ok {
				t.Fatalf("no CriteriaList: %v", body)
			}
			got := []string{}
			for _, e := range list {
				entry := e.(map[string]any)
				got = append(got, fmt.Sprint(entry["Name"]))
				if _, ok := entry["Type"]; !ok {
					t.Fatalf("entry without Type: %v", entry)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDefaultCriteriaValues(t *testing.T) {
	for _, e := range DefaultCriteria() {
		switch e.Name {
		case "vulStatus", "alarmStatus", "hcStatus", "riskStatus":
			if e.Type != "select" || e.Values != "NO,YES" {
				t.Errorf("%+v", e)
			}
		case "registryType":
			if e.Type != "select" || e.Values != "acr,harbor,quay,CI/CD" {
				t.Errorf("%+v", e)
			}
		default:
			if e.Type != "input" || e.Values != "" {
				t.Errorf("%+v", e)
			}
		}
		if _, ok := criteriaField(e.Name); !ok {
			t.Errorf("default criteria %q is not filterable", e.Name)
		}
	}
}

// A page written around encoded records is what encoding/json writes for
// the whole answer, whatever the head and however many records.
func TestPageAroundWritesWhatEncodingJSONWrites(t *testing.T) {
	records := []json.RawMessage{[]byte(`{"Uuid":"u-1","Tag":"<&>"}`), []byte(`{"Uuid":"u-2","Endpoints":"[\"a\"]"}`), []byte(`{}`)}
	pageSize := 7
	heads := []struct {
		name, list string
		head       any
		want       func(records []json.RawMessage) any
	}{
		{"images", "ImageInstanceList", imageInstancesHead{RequestID: `req "1" <&>`, PageInfo: pageInfo{CurrentPage: 2, PageSize: &pageSize, TotalCount: 9, Count: 2}},
			func(records []json.RawMessage) any {
				return struct {
					RequestID         string `json:"RequestId"`
					PageInfo          pageInfo
					ImageInstanceList []json.RawMessage
				}{`req "1" <&>`, pageInfo{CurrentPage: 2, PageSize: &pageSize, TotalCount: 9, Count: 2}, records}
			}},
		{"images, no page size", "ImageInstanceList", imageInstancesHead{RequestID: "r", PageInfo: pageInfo{CurrentPage: 1}},
			func(records []json.RawMessage) any {
				return struct {
					RequestID         string `json:"RequestId"`
					PageInfo          pageInfo
					ImageInstanceList []json.RawMessage
				}{"r", pageInfo{CurrentPage: 1}, records}
			}},
		{"vulnerabilities", "VulRecords", vulListHead{RequestID: "r", CurrentPage: 3, PageSize: 100, TotalCount: 250},
			func(records []json.RawMessage) any {
				return struct {
					RequestID   string `json:"RequestId"`
					CurrentPage int
					PageSize    int
					TotalCount  int
					VulRecords  []json.RawMessage
				}{"r", 3, 100, 250, records}
			}},
	}
	for _, h := range heads {
		for n := range len(records) + 1 {
			got, err := pageAround(h.head, h.list, records[:n])
			if err != nil {
				t.Fatal(err)
			}
			want, err := marshalJSON(h.want(records[:n]))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s, %d records:\n got %s\nwant %s", h.name, n, got, want)
			}
		}
	}
}
