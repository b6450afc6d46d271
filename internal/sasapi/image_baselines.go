package sasapi

import (
	"errors"
	"fmt"
	"strings"
)

// Baseline (configuration check) operations.
const (
	ActionDescribeImageBaselineCheckResult = "DescribeImageBaselineCheckResult"
	ActionDescribeImageBaselineItemList    = "DescribeImageBaselineItemList"
)

// DescribeImageBaselineCheckResult lists the baselines of one image with
// their risk counts, de-duplicated by BaselineNameKey.
var DescribeImageBaselineCheckResult = Operation[ImageBaselineQuery, BaselineResult]{
	Action: ActionDescribeImageBaselineCheckResult,
	Noun:   "baselines",
	Params: imageBaselineParams,
	Decode: decodeWith(jsonBody[DescribeImageBaselineCheckResultResponse], (*DescribeImageBaselineCheckResultResponse).page),
	Key:    func(b *BaselineResult) (string, bool) { return b.BaselineNameKey.Value, b.BaselineNameKey.Valid },
}

// DescribeImageBaselineItemList lists the check items of one image (of one
// baseline, with BaselineNameKey), de-duplicated by baseline and item key.
var DescribeImageBaselineItemList = Operation[ImageBaselineItemQuery, BaselineItem]{
	Action: ActionDescribeImageBaselineItemList,
	Noun:   "check items",
	Params: imageBaselineItemParams,
	Decode: decodeWith(jsonBody[DescribeImageBaselineItemListResponse], (*DescribeImageBaselineItemListResponse).page),
	Key:    baselineItemKey,
}

// Baseline levels (BaselineNameLevel, and the values of RiskLevel).
const (
	BaselineLevelHigh   = "high"
	BaselineLevelMedium = "medium"
	BaselineLevelLow    = "low"
)

// Criteria types of DescribeImageBaselineCheckResult: what Criteria is
// matched against.
const (
	BaselineCriteriaName  = "BaselineNameAlias"
	BaselineCriteriaClass = "BaselineClassAlias"
)

// Status codes of a baseline result (BaselineResult.Status).
const (
	BaselineStatusUnfixed = 0
	BaselineStatusFixed   = 1
)

// Status codes of a check item (BaselineItem.Status, and the Status filter
// of DescribeImageBaselineItemList, where they are sent as strings).
const (
	BaselineItemStatusUnfixed             = 0
	BaselineItemStatusFixed               = 1
	BaselineItemStatusPendingVerification = 2
	BaselineItemStatusFixFailed           = 3
)

// ImageBaselineQuery selects the baseline results of one image. Empty
// fields other than ImageUuid are not sent; the service then applies no
// filter.
type ImageBaselineQuery struct {
	// ImageUuid is the image record's Uuid (of DescribeImageInstances); required.
	ImageUuid string
	// RiskLevels are BaselineLevel* values, sent comma-separated.
	RiskLevels []string
	// Criteria is a keyword matched as CriteriaType says.
	Criteria     string
	CriteriaType string
	// Lang is "en" or "zh" (the service's default).
	Lang string
}

// DescribeImageBaselineCheckResultResponse is one page of baseline results.
type DescribeImageBaselineCheckResultResponse struct {
	RequestID      string           `json:"RequestId"`
	PageInfo       *PageInfo        `json:"PageInfo"`
	BaselineResult []BaselineResult `json:"BaselineResult"`
}

// BaselineResult is one baseline of an image with its risk counts.
type BaselineResult struct {
	// BaselineNameKey identifies the baseline; DescribeImageBaselineItemList
	// takes it to list the baseline's check items.
	BaselineNameKey   String `json:"BaselineNameKey"`
	BaselineNameAlias String `json:"BaselineNameAlias"`
	// BaselineClassAlias is, despite its name, the key of the baseline's
	// class, such as "identification".
	BaselineClassAlias String `json:"BaselineClassAlias"`
	// BaselineNameLevel is a BaselineLevel* value.
	BaselineNameLevel   String `json:"BaselineNameLevel"`
	BaselineItemCount   Int    `json:"BaselineItemCount"`
	HighRiskItemCount   Int    `json:"HighRiskItemCount"`
	MiddleRiskItemCount Int    `json:"MiddleRiskItemCount"`
	LowRiskItemCount    Int    `json:"LowRiskItemCount"`
	// Status is a BaselineStatus* code.
	Status Int `json:"Status"`
	// FirstScanTime and LastScanTime are Unix milliseconds.
	FirstScanTime Int `json:"FirstScanTime"`
	LastScanTime  Int `json:"LastScanTime"`
}

// ImageBaselineItemQuery selects the check items of one image. Empty
// fields other than ImageUuid are not sent.
type ImageBaselineItemQuery struct {
	// ImageUuid is the image record's Uuid; required.
	ImageUuid string
	// BaselineNameKey limits the items to one baseline (a BaselineResult's key).
	BaselineNameKey  string
	BaselineClassKey string
	// Status is one BaselineItemStatus* code in decimal.
	Status string
	// Lang is "en" or "zh" (the service's default).
	Lang string
}

// DescribeImageBaselineItemListResponse is one page of check items.
type DescribeImageBaselineItemListResponse struct {
	RequestID         string         `json:"RequestId"`
	PageInfo          *PageInfo      `json:"PageInfo"`
	BaselineItemInfos []BaselineItem `json:"BaselineItemInfos"`
}

// BaselineItem is one check item of an image's baseline.
type BaselineItem struct {
	BaselineItemKey    String `json:"BaselineItemKey"`
	BaselineItemAlias  String `json:"BaselineItemAlias"`
	BaselineNameKey    String `json:"BaselineNameKey"`
	BaselineNameAlias  String `json:"BaselineNameAlias"`
	BaselineClassKey   String `json:"BaselineClassKey"`
	BaselineClassAlias String `json:"BaselineClassAlias"`
	// Status is a BaselineItemStatus* code: a number here, although the
	// request's Status filter is a string.
	Status Int `json:"Status"`
	// WhiteList is 1 when the item is whitelisted; see Whitelisted.
	WhiteList Int `json:"WhiteList"`
}

// Whitelisted reads WhiteList: 1 is whitelisted, any other number is not.
func (i *BaselineItem) Whitelisted() Bool {
	return Bool{Value: i.WhiteList.Value == 1, Valid: i.WhiteList.Valid}
}

func (r *DescribeImageBaselineCheckResultResponse) page() (Page[BaselineResult], error) {
	return pageInfoPage(r.RequestID, r.PageInfo, r.BaselineResult), nil
}

func (r *DescribeImageBaselineItemListResponse) page() (Page[BaselineItem], error) {
	return pageInfoPage(r.RequestID, r.PageInfo, r.BaselineItemInfos), nil
}

// imageBaselineParams returns the parameters of a query.
func imageBaselineParams(q ImageBaselineQuery) (map[string]string, error) {
	if q.ImageUuid == "" {
		return nil, errors.New("ImageUuid is required")
	}
	for _, level := range q.RiskLevels {
		if level == "" || strings.Contains(level, ",") {
			return nil, fmt.Errorf("RiskLevels must be non-empty and free of commas, got %q", level)
		}
	}
	return nonEmpty(map[string]string{
		"ImageUuid":    q.ImageUuid,
		"RiskLevel":    strings.Join(q.RiskLevels, ","),
		"Criteria":     q.Criteria,
		"CriteriaType": q.CriteriaType,
		"Lang":         q.Lang,
	}), nil
}

// imageBaselineItemParams returns the parameters of a query. Uuids, the
// repeated image list, is not needed: ImageUuid names the image.
func imageBaselineItemParams(q ImageBaselineItemQuery) (map[string]string, error) {
	if q.ImageUuid == "" {
		return nil, errors.New("ImageUuid is required")
	}
	return nonEmpty(map[string]string{
		"ImageUuid":        q.ImageUuid,
		"BaselineNameKey":  q.BaselineNameKey,
		"BaselineClassKey": q.BaselineClassKey,
		"Status":           q.Status,
		"Lang":             q.Lang,
	}), nil
}

// baselineItemKey identifies an item: the same check in the same baseline.
func baselineItemKey(i *BaselineItem) (string, bool) {
	if !i.BaselineItemKey.Valid {
		return "", false
	}
	return i.BaselineNameKey.Value + "\x00" + i.BaselineItemKey.Value, true
}
