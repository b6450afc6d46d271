package sasapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ActionDescribeImageSensitiveFileList lists the secret types found in an image.
const ActionDescribeImageSensitiveFileList = "DescribeImageSensitiveFileList"

// Sensitive-file risk levels (RiskLevel).
const (
	SensitiveRiskHigh   = "high"
	SensitiveRiskMedium = "medium"
	SensitiveRiskLow    = "low"
)

// Statuses of a secret type in DescribeImageSensitiveFileList (Status): 1
// means handled in any way (ignored or a false positive, as the other
// sensitive-file operations tell apart).
const (
	SensitiveStatusUnhandled = 0
	SensitiveStatusHandled   = 1
)

// ScanRangeImage is the scan range of findings in images (not containers).
const ScanRangeImage = "image"

// DescribeImageSensitiveFileList lists the secret types found in one image,
// one record per type (SensitiveFileKey), de-duplicated by key.
var DescribeImageSensitiveFileList = Operation[SensitiveFileQuery, SensitiveFileType]{
	Action: ActionDescribeImageSensitiveFileList,
	Noun:   "secret types",
	Params: sensitiveFileListParams,
	Decode: decodeWith(jsonBody[describeImageSensitiveFileListResponse], (*describeImageSensitiveFileListResponse).page),
	Key:    func(t *SensitiveFileType) (string, bool) { return t.SensitiveFileKey.Value, t.SensitiveFileKey.Valid },
}

// SensitiveFileQuery selects the secret types of one image. Empty fields
// other than ImageUuid are not sent.
type SensitiveFileQuery struct {
	// ImageUuid is the image record's Uuid (of DescribeImageInstances); required.
	ImageUuid string
	// RiskLevel is one SensitiveRisk* level: the service documents one.
	RiskLevel string
	// SensitiveFileKeys are secret type keys, such as "aws_access_key",
	// sent as the repeated SensitiveKeyList.N.
	SensitiveFileKeys []string
	// Lang is "en" or "zh" (the service's default).
	Lang string
}

// SensitiveFileType is one secret type found in an image, with counts.
type SensitiveFileType struct {
	// SensitiveFileKey is the type's key, such as "aws_access_key":
	// DescribeImageSensitiveFileByKey takes it to list the type's files.
	SensitiveFileKey  String `json:"SensitiveFileKey"`
	SensitiveFileName String `json:"SensitiveFileName"`
	ClassKey          String `json:"ClassKey"`
	ClassName         String `json:"ClassName"`
	// RiskLevel is a SensitiveRisk* level.
	RiskLevel String `json:"RiskLevel"`
	// Status is a SensitiveStatus* code.
	Status Int `json:"Status"`
	// Count is the service's count of hits of the type (files, as far as
	// can be told: the unit is not documented).
	Count Int `json:"Count"`
	// UnprocessedNum is the number of unhandled images ("mirrors" in the
	// SDK's translation); for one image, 1 while the finding is unhandled.
	UnprocessedNum Int `json:"UnprocessedNum"`
	// FirstScanTime and LastScanTime are Unix milliseconds.
	FirstScanTime Int    `json:"FirstScanTime"`
	LastScanTime  Int    `json:"LastScanTime"`
	Description   String `json:"Description"`
	Advice        String `json:"Advice"`
}

type describeImageSensitiveFileListResponse struct {
	envelope
	PageInfo          *PageInfo           `json:"PageInfo"`
	SensitiveFileList []SensitiveFileType `json:"SensitiveFileList"`
}

func (r *describeImageSensitiveFileListResponse) page() (Page[SensitiveFileType], error) {
	if err := r.failure(); err != nil {
		return Page[SensitiveFileType]{}, err
	}
	return pageInfoPage(r.RequestID, r.PageInfo, r.SensitiveFileList), nil
}

func sensitiveFileListParams(q SensitiveFileQuery) (map[string]string, error) {
	if q.ImageUuid == "" {
		return nil, errors.New("ImageUuid is required")
	}
	if strings.Contains(q.RiskLevel, ",") {
		return nil, fmt.Errorf("RiskLevel takes one level, got %q", q.RiskLevel)
	}
	params, err := imageScanRangeJSON()
	if err != nil {
		return nil, err
	}
	for k, key := range q.SensitiveFileKeys {
		if key == "" {
			return nil, errors.New("a SensitiveFileKeys entry is empty")
		}
		params[fmt.Sprintf("SensitiveKeyList.%d", k+1)] = key
	}
	params["ImageUuid"] = q.ImageUuid
	params["RiskLevel"] = q.RiskLevel
	params["Lang"] = q.Lang
	return nonEmpty(params), nil
}

// imageScanRangeJSON is the scan range of the sensitive-file operations,
// which the official SDK sends as one JSON text: ScanRange=["image"].
func imageScanRangeJSON() (map[string]string, error) {
	scanRange, err := json.Marshal([]string{ScanRangeImage})
	if err != nil {
		return nil, err
	}
	return map[string]string{"ScanRange": string(scanRange)}, nil
}
