package fakesas

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CriteriaEntry is one element of DescribeImageCriteria's CriteriaList.
type CriteriaEntry struct {
	Name   string
	Type   string // "input" or "select"
	Values string // comma-separated allowed values for "select", empty for "input"
}

// DefaultCriteria is the list the service returns for image search: the
// documented criteria names, the status flags and the registry type as select
// lists, everything else free input.
func DefaultCriteria() []CriteriaEntry {
	return []CriteriaEntry{
		{Name: "instanceId", Type: "input"},
		{Name: "repoName", Type: "input"},
		{Name: "repoId", Type: "input"},
		{Name: "repoNamespace", Type: "input"},
		{Name: "regionId", Type: "input"},
		{Name: "ImageId", Type: "input"},
		{Name: "tag", Type: "input"},
		{Name: "digest", Type: "input"},
		{Name: "vulStatus", Type: "select", Values: "NO,YES"},
		{Name: "alarmStatus", Type: "select", Values: "NO,YES"},
		{Name: "hcStatus", Type: "select", Values: "NO,YES"},
		{Name: "riskStatus", Type: "select", Values: "NO,YES"},
		{Name: "registryType", Type: "select", Values: "acr,harbor,quay,CI/CD"},
	}
}

// criteriaField maps a criteria name of DescribeImageInstances to the image
// field it filters on. Names are case sensitive, except that the service
// documents "ImageId" with a capital I while its siblings use camel case, so
// both spellings are accepted.
func criteriaField(name string) (string, bool) {
	switch name {
	case "instanceId":
		return "InstanceId", true
	case "repoName":
		return "RepoName", true
	case "repoId":
		return "RepoId", true
	case "repoNamespace":
		return "RepoNamespace", true
	case "regionId":
		return "RegionId", true
	case "vulStatus":
		return "VulStatus", true
	case "alarmStatus":
		return "AlarmStatus", true
	case "hcStatus":
		return "HcStatus", true
	case "riskStatus":
		return "RiskStatus", true
	case "registryType":
		return "RegistryType", true
	case "ImageId", "imageId":
		return "ImageId", true
	case "tag":
		return "Tag", true
	case "digest":
		return "Digest", true
	case "uuid":
		return "Uuid", true
	}
	return "", false
}

// fieldString is the string form a field is matched on: strings as they are,
// numbers in their shortest decimal form, absent and null as "".
func fieldString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// fieldNumber reads a numeric field that may be a number or a numeric string;
// anything else counts as 0.
func fieldNumber(v any) float64 {
	f, err := strconv.ParseFloat(fieldString(v), 64)
	if err != nil || math.IsNaN(f) {
		return 0
	}
	return f
}

// isScanned is the fake's rule for the Scanned filter: the image has a scan
// state past INIT and a last scan time.
func isScanned(img Image) bool {
	status := fieldString(img["ScaStatus"])
	return status != "" && status != "INIT" && fieldNumber(img["LastScanTime"]) > 0
}

// criterion is one parsed element of the Criteria parameter.
type criterion struct {
	field string
	value string
}

// rawCriterion is the wire form: {"name": ..., "value": ..., "logicalExp": ...}.
type rawCriterion struct {
	Name       string          `json:"name"`
	Value      json.RawMessage `json:"value"`
	LogicalExp string          `json:"logicalExp"`
}

// parseCriteria validates the Criteria parameter and resolves names to fields.
func parseCriteria(param string) ([]criterion, *apiError) {
	if strings.TrimSpace(param) == "" {
		return nil, nil
	}
	var raw []rawCriterion
	if err := json.Unmarshal([]byte(param), &raw); err != nil {
		return nil, invalidParameter("The specified parameter Criteria is invalid: %v.", err)
	}
	out := make([]criterion, 0, len(raw))
	for i, rc := range raw {
		field, ok := criteriaField(rc.Name)
		if !ok {
			return nil, invalidParameter("The specified parameter Criteria is invalid: unknown criteria name %q.", rc.Name)
		}
		if rc.LogicalExp != "" && rc.LogicalExp != "AND" && rc.LogicalExp != "OR" {
			return nil, invalidParameter("The specified parameter Criteria is invalid: logicalExp %q of element %d.", rc.LogicalExp, i)
		}
		value, err := criterionValue(rc.Value)
		if err != nil {
			return nil, invalidParameter("The specified parameter Criteria is invalid: value of %q: %v.", rc.Name, err)
		}
		out = append(out, criterion{field: field, value: value})
	}
	return out, nil
}

// criterionValue accepts a JSON string, number or boolean (numbers keep their
// literal decimal form); null or absent means "".
func criterionValue(raw json.RawMessage) (string, error) {
	text := strings.TrimSpace(string(raw))
	if text == "" || text == "null" {
		return "", nil
	}
	switch text[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("decode string: %w", err)
		}
		return s, nil
	case '{', '[':
		return "", fmt.Errorf("must be a string, number or boolean")
	}
	return text, nil
}

// matches applies the criteria combined with AND or OR. A criterion hits
// when the field equals its value, or with substring when it contains it.
func matches(img Image, criteria []criterion, or, substring bool) bool {
	if len(criteria) == 0 {
		return true
	}
	for _, c := range criteria {
		field := fieldString(img[c.field])
		hit := field == c.value || substring && strings.Contains(field, c.value)
		if hit && or {
			return true
		}
		if !hit && !or {
			return false
		}
	}
	return !or
}

// criteriaMatchingKeyword implements DescribeImageCriteria's Value filter:
// an entry is returned when the keyword occurs, case-insensitively, in its
// name, in one of its select values, or (input entries) in the entry's field
// of any image in the dataset.
func criteriaMatchingKeyword(entries []CriteriaEntry, images []Image, keyword string) []CriteriaEntry {
	kw := strings.ToLower(keyword)
	out := make([]CriteriaEntry, 0, len(entries))
	for _, e := range entries {
		if entryMatches(e, images, kw) {
			out = append(out, e)
		}
	}
	return out
}

func entryMatches(e CriteriaEntry, images []Image, kw string) bool {
	if strings.Contains(strings.ToLower(e.Name), kw) {
		return true
	}
	for v := range strings.SplitSeq(e.Values, ",") {
		if v != "" && strings.Contains(strings.ToLower(v), kw) {
			return true
		}
	}
	if e.Type != "input" {
		return false
	}
	field, ok := criteriaField(e.Name)
	if !ok {
		return false
	}
	for _, img := range images {
		if strings.Contains(strings.ToLower(fieldString(img[field])), kw) {
			return true
		}
	}
	return false
}
