package sasapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// API coordinates of the operations this package wraps.
const (
	APIVersion                   = "2018-12-03"
	ActionDescribeImageInstances = "DescribeImageInstances"
	ActionDescribeImageCriteria  = "DescribeImageCriteria"

	// MaxPageSize is the largest page size the SAS list calls are known to accept.
	MaxPageSize = 100
)

// Logical operators accepted by DescribeImageInstances.
const (
	LogicalAnd = "AND"
	LogicalOr  = "OR"
)

// ImageInstance is one record of DescribeImageInstances.ImageInstanceList.
// Every field may be absent on the wire; see the scalar types.
type ImageInstance struct {
	Uuid          String     `json:"Uuid"`
	ImageId       String     `json:"ImageId"`
	Digest        String     `json:"Digest"`
	Tag           String     `json:"Tag"`
	RepoName      String     `json:"RepoName"`
	RepoNamespace String     `json:"RepoNamespace"`
	RepoId        String     `json:"RepoId"`
	RepoType      String     `json:"RepoType"`
	RegistryType  String     `json:"RegistryType"`
	InstanceId    String     `json:"InstanceId"`
	RegionId      String     `json:"RegionId"`
	Status        String     `json:"Status"`
	ImageSize     Int        `json:"ImageSize"`
	ImageCreate   Int        `json:"ImageCreate"`
	ImageUpdate   Int        `json:"ImageUpdate"`
	LastScanTime  Int        `json:"LastScanTime"`
	VulCount      Int        `json:"VulCount"`
	HcCount       Int        `json:"HcCount"`
	AlarmCount    Int        `json:"AlarmCount"`
	ScaProgress   Int        `json:"ScaProgress"`
	VulStatus     String     `json:"VulStatus"`
	HcStatus      String     `json:"HcStatus"`
	AlarmStatus   String     `json:"AlarmStatus"`
	RiskStatus    String     `json:"RiskStatus"`
	ScaStatus     String     `json:"ScaStatus"`
	ScaResult     String     `json:"ScaResult"`
	Deployed      Bool       `json:"Deployed"`
	Endpoints     StringList `json:"Endpoints"`
	SourceBizTag  String     `json:"SourceBizTag"`
}

// PageInfo is the paging block of a list response.
type PageInfo struct {
	CurrentPage Int `json:"CurrentPage"`
	PageSize    Int `json:"PageSize"`
	TotalCount  Int `json:"TotalCount"`
	Count       Int `json:"Count"`
}

// DescribeImageInstancesResponse is one page of images.
type DescribeImageInstancesResponse struct {
	RequestID         string          `json:"RequestId"`
	PageInfo          *PageInfo       `json:"PageInfo"`
	ImageInstanceList []ImageInstance `json:"ImageInstanceList"`
}

// Criterion is one search condition of DescribeImageInstances.
type Criterion struct {
	Name  string
	Value string
}

// ImageQuery selects images. The zero value selects every image.
type ImageQuery struct {
	Criteria   []Criterion
	LogicalExp string // LogicalAnd (default) or LogicalOr
	Scanned    *bool
}

// DescribeImageInstancesRequest asks for one page.
type DescribeImageInstancesRequest struct {
	ImageQuery
	CurrentPage int
	PageSize    int
}

// CriteriaEntry is one element of DescribeImageCriteria.CriteriaList.
type CriteriaEntry struct {
	Name   String `json:"Name"`
	Type   String `json:"Type"`
	Values String `json:"Values"`
}

// DescribeImageCriteriaResponse lists the search conditions images accept.
type DescribeImageCriteriaResponse struct {
	RequestID    string          `json:"RequestId"`
	CriteriaList []CriteriaEntry `json:"CriteriaList"`
}

// criterionWire is the element shape of the Criteria JSON parameter.
type criterionWire struct {
	Name       string `json:"name"`
	Value      string `json:"value"`
	LogicalExp string `json:"logicalExp"`
}

// EncodeCriteria renders criteria as the service's Criteria parameter. Every
// element carries the query's logical operator, as the service expects.
// HTML escaping is off so values reach the service exactly as written.
func EncodeCriteria(criteria []Criterion, logicalExp string) (string, error) {
	if logicalExp == "" {
		logicalExp = LogicalAnd
	}
	wire := make([]criterionWire, len(criteria))
	for i, c := range criteria {
		wire[i] = criterionWire{Name: c.Name, Value: c.Value, LogicalExp: logicalExp}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(wire); err != nil {
		return "", fmt.Errorf("encoding criteria: %w", err)
	}
	return string(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// errNoAnswer marks a 200 body without what every answer of its operation
// holds, such as the empty body a misbehaving gateway sends: it is
// retried, never read as "no records".
var errNoAnswer = errors.New("the body is not an answer")

func noAnswer(action, missing string, bodyLen int) error {
	return fmt.Errorf("decoding %s response (%d bytes): %w: no %s", action, bodyLen, errNoAnswer, missing)
}

// checkTotalCount rejects a list response whose count is missing or negative.
func checkTotalCount(action, field string, total Int, bodyLen int) error {
	if !total.Valid {
		return noAnswer(action, field, bodyLen)
	}
	if total.Value < 0 {
		return fmt.Errorf("decoding %s response: negative %s %d", action, field, total.Value)
	}
	return nil
}

// DecodeImageCriteria decodes a DescribeImageCriteria response body.
func DecodeImageCriteria(body []byte) (*DescribeImageCriteriaResponse, error) {
	var resp DescribeImageCriteriaResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decoding DescribeImageCriteria response: %w", err)
	}
	return &resp, nil
}
