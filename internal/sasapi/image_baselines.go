package sasapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// Baseline (configuration check) operations.
const (
	ActionDescribeImageBaselineCheckResult = "DescribeImageBaselineCheckResult"
	ActionDescribeImageBaselineItemList    = "DescribeImageBaselineItemList"
)

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

// DecodeImageBaselineCheckResultPage decodes a
// DescribeImageBaselineCheckResult response body. A body without
// PageInfo.TotalCount is an error, never "no baselines".
func DecodeImageBaselineCheckResultPage(body []byte) (*DescribeImageBaselineCheckResultResponse, error) {
	var resp DescribeImageBaselineCheckResultResponse
	if err := decodePagedBody(ActionDescribeImageBaselineCheckResult, body, &resp, &resp.PageInfo); err != nil {
		return nil, err
	}
	return &resp, nil
}

// DecodeImageBaselineItemListPage decodes a DescribeImageBaselineItemList
// response body. A body without PageInfo.TotalCount is an error, never "no
// items".
func DecodeImageBaselineItemListPage(body []byte) (*DescribeImageBaselineItemListResponse, error) {
	var resp DescribeImageBaselineItemListResponse
	if err := decodePagedBody(ActionDescribeImageBaselineItemList, body, &resp, &resp.PageInfo); err != nil {
		return nil, err
	}
	return &resp, nil
}

// decodePagedBody decodes body into resp and checks the PageInfo it
// filled in through info.
func decodePagedBody(action string, body []byte, resp any, info **PageInfo) error {
	if err := json.Unmarshal(body, resp); err != nil {
		return fmt.Errorf("decoding %s response: %w", action, err)
	}
	var total Int
	if *info != nil {
		total = (*info).TotalCount
	}
	return checkTotalCount(action, "PageInfo.TotalCount", total, len(body))
}

// pageOf turns a decoded PageInfo and its records into a Page.
func pageOf[T any](info *PageInfo, items []T) Page[T] {
	return Page[T]{Items: items, TotalCount: int(info.TotalCount.Value), PageSize: info.PageSize}
}

// imageBaselineQuery returns the parameters of a query, paging excluded.
func imageBaselineQuery(q ImageBaselineQuery) (map[string]string, error) {
	if q.ImageUuid == "" {
		return nil, fmt.Errorf("%s: ImageUuid is required", ActionDescribeImageBaselineCheckResult)
	}
	for _, level := range q.RiskLevels {
		if level == "" || strings.Contains(level, ",") {
			return nil, fmt.Errorf("%s: RiskLevels must be non-empty and free of commas, got %q", ActionDescribeImageBaselineCheckResult, level)
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

// imageBaselineItemQuery returns the parameters of a query, paging
// excluded. Uuids, the repeated image list, is not needed: ImageUuid names
// the image.
func imageBaselineItemQuery(q ImageBaselineItemQuery) (map[string]string, error) {
	if q.ImageUuid == "" {
		return nil, fmt.Errorf("%s: ImageUuid is required", ActionDescribeImageBaselineItemList)
	}
	return nonEmpty(map[string]string{
		"ImageUuid":        q.ImageUuid,
		"BaselineNameKey":  q.BaselineNameKey,
		"BaselineClassKey": q.BaselineClassKey,
		"Status":           q.Status,
		"Lang":             q.Lang,
	}), nil
}

// nonEmpty drops the parameters without a value: they are not sent.
func nonEmpty(params map[string]string) map[string]string {
	for k, v := range params {
		if v == "" {
			delete(params, k)
		}
	}
	return params
}

// baselineResultsOperation lists the baseline results a query selects.
func baselineResultsOperation(base map[string]string) PagedOperation[BaselineResult] {
	return PagedOperation[BaselineResult]{
		Action: ActionDescribeImageBaselineCheckResult,
		Query:  func(page, size int) map[string]string { return pageQuery(base, page, size) },
		Decode: func(body []byte) (Page[BaselineResult], error) {
			resp, err := DecodeImageBaselineCheckResultPage(body)
			if err != nil {
				return Page[BaselineResult]{}, err
			}
			return pageOf(resp.PageInfo, resp.BaselineResult), nil
		},
		Key:  func(b *BaselineResult) (string, bool) { return b.BaselineNameKey.Value, b.BaselineNameKey.Valid },
		Noun: "baselines",
	}
}

// baselineItemsOperation lists the check items a query selects.
func baselineItemsOperation(base map[string]string) PagedOperation[BaselineItem] {
	return PagedOperation[BaselineItem]{
		Action: ActionDescribeImageBaselineItemList,
		Query:  func(page, size int) map[string]string { return pageQuery(base, page, size) },
		Decode: func(body []byte) (Page[BaselineItem], error) {
			resp, err := DecodeImageBaselineItemListPage(body)
			if err != nil {
				return Page[BaselineItem]{}, err
			}
			return pageOf(resp.PageInfo, resp.BaselineItemInfos), nil
		},
		Key:  baselineItemKey,
		Noun: "check items",
	}
}

// baselineItemKey identifies an item: the same check in the same baseline.
func baselineItemKey(i *BaselineItem) (string, bool) {
	if !i.BaselineItemKey.Valid {
		return "", false
	}
	return i.BaselineNameKey.Value + "\x00" + i.BaselineItemKey.Value, true
}

// ListImageBaselines reads every baseline result a query selects through
// List, de-duplicated by BaselineNameKey.
func (c *Client) ListImageBaselines(ctx context.Context, query ImageBaselineQuery, opts ListOptions) (*Listing[BaselineResult], error) {
	base, err := imageBaselineQuery(query)
	if err != nil {
		return nil, err
	}
	return List(ctx, c, baselineResultsOperation(base), opts)
}

// ListImageBaselineItems reads every check item a query selects through
// List, de-duplicated by baseline and item key.
func (c *Client) ListImageBaselineItems(ctx context.Context, query ImageBaselineItemQuery, opts ListOptions) (*Listing[BaselineItem], error) {
	base, err := imageBaselineItemQuery(query)
	if err != nil {
		return nil, err
	}
	return List(ctx, c, baselineItemsOperation(base), opts)
}

// ListImageBaselineItemsPerBaseline reads the check items of each baseline
// in baselineKeys, one listing per baseline, the listings concurrently.
// At most opts.MaxConcurrency (0: the client's) listings run at once, each
// one page at a time (a baseline has few items), so the whole read never
// has more requests in flight than that; every request also goes through
// the client's one limit on requests in flight and its learnt pace.
// The result is in the order of baselineKeys. The first failure cancels the
// other listings and fails the whole read.
func (c *Client) ListImageBaselineItemsPerBaseline(ctx context.Context, query ImageBaselineItemQuery, baselineKeys []string, opts ListOptions) ([]*Listing[BaselineItem], error) {
	for _, key := range baselineKeys {
		if key == "" {
			return nil, fmt.Errorf("%s: a baseline key is empty", ActionDescribeImageBaselineItemList)
		}
	}
	if _, err := imageBaselineItemQuery(query); err != nil {
		return nil, err
	}
	if opts.MaxConcurrency < 0 {
		return nil, fmt.Errorf("listing %s: MaxConcurrency must not be negative", ActionDescribeImageBaselineItemList)
	}
	concurrency := opts.MaxConcurrency
	if concurrency == 0 {
		concurrency = c.cfg.MaxConcurrency
	}
	opts.MaxConcurrency = 1

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([]*Listing[BaselineItem], len(baselineKeys))
	var next atomic.Int64 // index of the next baseline to list
	var wg sync.WaitGroup
	for range min(concurrency, len(baselineKeys)) {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= len(baselineKeys) || ctx.Err() != nil {
					return
				}
				q := query
				q.BaselineNameKey = baselineKeys[k]
				listing, err := c.ListImageBaselineItems(ctx, q, opts)
				if err != nil {
					cancel(fmt.Errorf("check items of baseline %s: %w", baselineKeys[k], err))
					return
				}
				out[k] = listing
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}
