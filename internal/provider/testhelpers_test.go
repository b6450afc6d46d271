package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// img builds a minimal scanned, clean image; fields override or add wire fields.
func img(uuid, repo, tag string, fields ...fakesas.Image) fakesas.Image {
	out := fakesas.Image{
		"Uuid": uuid, "RepoName": repo, "Tag": tag, "RepoNamespace": "prod", "RegionId": "cn-hangzhou",
		"ScaStatus": "SUCCESS", "LastScanTime": int64(1764000000000), "ScaProgress": 100,
		"VulCount": 0, "HcCount": 0, "AlarmCount": 0, "RiskStatus": "NO", "VulStatus": "NO",
		"HcStatus": "NO", "AlarmStatus": "NO", "Deployed": 0, "Endpoints": "[]",
	}
	for _, f := range fields {
		for k, v := range f {
			if v == nil {
				delete(out, k)
				continue
			}
			out[k] = v
		}
	}
	return out
}

// uuids lists the Uuid of each image, in order.
func uuids(images []fakesas.Image) []string {
	out := make([]string, len(images))
	for k, i := range images {
		out[k] = fmt.Sprint(i["Uuid"])
	}
	return out
}

// expectIDs checks a data source's ids list exactly, in order.
func expectIDs(addr string, ids ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(ids))
	for k, id := range ids {
		checks[k] = knownvalue.StringExact(id)
	}
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("ids"), knownvalue.ListExact(checks))
}

// readsAndCalls returns how many reads of DescribeImageInstances the fake
// saw (a read starts with CurrentPage 1) and how many requests in total.
// Terraform reads a data source several times per test step, so tests
// assert requests per read.
func readsAndCalls(s *fakesas.Server) (reads, calls int) {
	for _, r := range s.Requests() {
		if r.Action != "DescribeImageInstances" {
			continue
		}
		calls++
		if r.Query.Get("CurrentPage") == "1" {
			reads++
		}
	}
	return reads, calls
}

func requireCallsPerRead(t *testing.T, s *fakesas.Server, want int) {
	t.Helper()
	reads, calls := readsAndCalls(s)
	if reads == 0 {
		t.Fatalf("the fake saw no read")
	}
	if calls != reads*want {
		t.Fatalf("%d DescribeImageInstances requests over %d reads, want exactly %d per read", calls, reads, want)
	}
}

// hcl quotes a string for HCL.
func hcl(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "${", "$${", "%{", "%%{")
	return `"` + r.Replace(s) + `"`
}

// uniqueStrings is a knownvalue check that a list has no repeated element.
type uniqueStrings struct{}

func (uniqueStrings) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	seen := map[string]bool{}
	for _, e := range list {
		s := fmt.Sprint(e)
		if seen[s] {
			return fmt.Errorf("%q appears twice", s)
		}
		seen[s] = true
	}
	return nil
}

func (uniqueStrings) String() string { return "unique strings" }

// containsInOrder is a knownvalue check that a list holds each of want, in
// that order, other elements allowed in between.
type containsInOrder []string

func (c containsInOrder) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	next := 0
	for _, e := range list {
		if next < len(c) && fmt.Sprint(e) == c[next] {
			next++
		}
	}
	if next < len(c) {
		return fmt.Errorf("%q is missing or out of order (%d of %d found in order)", c[next], next, len(c))
	}
	return nil
}

func (c containsInOrder) String() string {
	return fmt.Sprintf("the %d expected strings in order", len(c))
}
