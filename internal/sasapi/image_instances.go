package sasapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Image inventory operations.
const (
	ActionDescribeImageInstances = "DescribeImageInstances"
	ActionDescribeImageCriteria  = "DescribeImageCriteria"
)

// DescribeImageInstances lists the images a query selects, de-duplicated
// by Uuid. Its pages have a hand-written decoder (image_instances_decoder.go).
var DescribeImageInstances = Operation[ImageQuery, ImageInstance]{
	Action:     ActionDescribeImageInstances,
	Noun:       "images",
	Params:     imageInstancesParams,
	Decode:     decodeWith(decodeImageInstancesPageReflect, (*DescribeImageInstancesResponse).page),
	FastDecode: decodeWith(decodeImageInstancesPageFast, (*DescribeImageInstancesResponse).page),
	Key:        func(img *ImageInstance) (string, bool) { return img.Uuid.Value, img.Uuid.Valid },
}

// DescribeImageCriteria lists the search conditions images can be
// filtered by, optionally only those matching a keyword (the request).
var DescribeImageCriteria = Operation[string, CriteriaEntry]{
	Action: ActionDescribeImageCriteria,
	Noun:   "criteria",
	Params: func(keyword string) (map[string]string, error) {
		return nonEmpty(map[string]string{"Value": keyword}), nil
	},
	Decode: decodeWith(jsonBody[DescribeImageCriteriaResponse], func(r *DescribeImageCriteriaResponse) (Page[CriteriaEntry], error) {
		return Page[CriteriaEntry]{Items: r.CriteriaList, RequestID: r.RequestID}, nil
	}),
}

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

func (r *DescribeImageInstancesResponse) page() (Page[ImageInstance], error) {
	return pageInfoPage(r.RequestID, r.PageInfo, r.ImageInstanceList), nil
}

// imageInstancesParams returns the parameters of a query.
func imageInstancesParams(q ImageQuery) (map[string]string, error) {
	params := map[string]string{}
	if len(q.Criteria) > 0 {
		criteria, err := EncodeCriteria(q.Criteria, q.LogicalExp)
		if err != nil {
			return nil, err
		}
		params["Criteria"] = criteria
	}
	if q.LogicalExp != "" {
		params["LogicalExp"] = q.LogicalExp
	}
	if q.Scanned != nil {
		params["Scanned"] = strconv.FormatBool(*q.Scanned)
	}
	return params, nil
}
