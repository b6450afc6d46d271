package fakesas

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// cveFacts reads the level and the score of a CVE as the wire has them:
// present or not, and their text.
type cveFacts struct {
	hasLevel, hasScore bool
	level, score       string
}

func factsOf(c map[string]any) cveFacts {
	level, hasLevel := c["VulLevel"]
	score, hasScore := c["CvssScore"]
	return cveFacts{hasLevel: hasLevel, hasScore: hasScore, level: fieldString(level), score: fieldString(score)}
}

func levelsOf(cves []map[string]any) map[string]int {
	out := map[string]int{}
	for _, c := range cves {
		out[factsOf(c).level]++
	}
	return out
}

// unrated reports a name whose every CVE has neither a level nor a score,
// in the given wire form of each.
func unrated(levelAbsent, scoreAbsent bool) func([]map[string]any) bool {
	return func(cves []map[string]any) bool {
		for _, c := range cves {
			f := factsOf(c)
			if f.hasLevel == levelAbsent || f.hasScore == scoreAbsent || f.level != "" || f.score != "" {
				return false
			}
		}
		return len(cves) > 0
	}
}

// vulnerabilityEdgeCases are the names a severity summary must get right.
var vulnerabilityEdgeCases = map[string]func([]map[string]any) bool{
	"no level nor score: VulLevel absent, CvssScore empty": unrated(true, false),
	"no level nor score: VulLevel empty, CvssScore absent": unrated(false, true),
	"one high and one low CVE": func(cves []map[string]any) bool {
		l := levelsOf(cves)
		return len(cves) == 2 && l["high"] == 1 && l["low"] == 1
	},
	"one serious CVE among mediums": func(cves []map[string]any) bool {
		l := levelsOf(cves)
		return l["serious"] == 1 && l["medium"] >= 2 && l["medium"]+1 == len(cves)
	},
}

// packagesOf reads RpmEntityList of a row, whether ExtendContentJson is an
// object or a string holding one; present is false when the list is absent.
func packagesOf(t *testing.T, row map[string]any) (packages []any, present bool) {
	t.Helper()
	extend, ok := row["ExtendContentJson"].(map[string]any)
	if text, isString := row["ExtendContentJson"].(string); isString {
		if err := json.Unmarshal([]byte(text), &extend); err != nil {
			t.Fatalf("ExtendContentJson %q: %v", text, err)
		}
		ok = true
	}
	if !ok {
		t.Fatalf("row %v has no ExtendContentJson", row["Name"])
	}
	list, present := extend["RpmEntityList"].([]any)
	return list, present
}

func records(list []Record) []map[string]any {
	out := make([]map[string]any, len(list))
	for k, r := range list {
		out[k] = r
	}
	return out
}

// TestVulnerabilityEdgeCasesAreServed proves a generated dataset names
// every edge case of vulnerabilityEdgeCases and serves it on the wire, and
// has rows listing no package.
func TestVulnerabilityEdgeCasesAreServed(t *testing.T) {
	s := startServer(t, Options{Images: GenerateImages(100, 3)})
	client := newClient(t, s, defaultCreds)
	rows, _ := vulRowsOf(t, s, nil)
	found := map[string]string{} // edge case → a name showing it
	seen := map[string]bool{}
	withoutPackages := map[string]int{} // form of ExtendContentJson → rows
	for _, r := range rows {
		if packages, present := packagesOf(t, r); present && len(packages) == 0 {
			withoutPackages[fmt.Sprintf("%T", r["ExtendContentJson"])]++
		}
		name := fieldString(r["Name"])
		if seen[name] {
			continue
		}
		seen[name] = true
		for edge, shows := range vulnerabilityEdgeCases {
			if found[edge] == "" && shows(records(s.VulnerabilityDetails(name))) {
				found[edge] = name
			}
		}
	}
	for edge, shows := range vulnerabilityEdgeCases {
		name := found[edge]
		if name == "" {
			t.Errorf("no vulnerability of the dataset has %s", edge)
			continue
		}
		body := mustCall(t, client, actionDescribeVulDetails, map[string]string{"Name": name, "Type": "cve", "Lang": "en"})
		var cves []map[string]any
		for _, c := range body["Cves"].([]any) {
			cves = append(cves, c.(map[string]any))
		}
		if !shows(cves) {
			t.Errorf("%s has %s by VulnerabilityDetails, not on the wire: %v", name, edge, cves)
		}
	}
	for _, form := range []string{"map[string]interface {}", "string"} {
		if withoutPackages[form] == 0 {
			t.Errorf("no row with ExtendContentJson as %s has an empty RpmEntityList (rows without packages: %v)", form, withoutPackages)
		}
	}
}

// TestDemoImagesNameNoEdgeCase keeps the edge cases off the hand-written
// demo images, whose rows the examples and the README describe.
func TestDemoImagesNameNoEdgeCase(t *testing.T) {
	s := New(Options{Images: DemoImages(time.Now())})
	data, _ := s.snapshotImages()
	named := 0
	for i, img := range data.images {
		switch img["Uuid"] {
		case DemoUUIDPaymentsVulnerable, DemoUUIDPaymentsClean, DemoUUIDCheckoutUnscanned, DemoUUIDAuthStale:
			named++
		default:
			continue
		}
		for _, r := range s.catalogue.imageRows(i, img) {
			if r.entry.shape != shapePlain || r.entry.noPackages {
				t.Errorf("%v:%v names %s (shape %d, no packages %v)", img["RepoName"], img["Tag"], r.entry.name, r.entry.shape, r.entry.noPackages)
			}
		}
	}
	if named != 4 {
		t.Fatalf("found %d of the 4 hand-written demo images", named)
	}
}
