package sasapi

import (
	"context"
	"strconv"
)

// DescribeImageInstances fetches one page of images, with retries.
func (c *Client) DescribeImageInstances(ctx context.Context, req DescribeImageInstancesRequest) (*DescribeImageInstancesResponse, error) {
	query, err := imageInstancesQuery(req.ImageQuery)
	if err != nil {
		return nil, err
	}
	if req.PageSize > 0 {
		query["PageSize"] = strconv.Itoa(req.PageSize)
	}
	if req.CurrentPage > 0 {
		query["CurrentPage"] = strconv.Itoa(req.CurrentPage)
	}
	var resp *DescribeImageInstancesResponse
	err = c.call(ctx, ActionDescribeImageInstances, query, nil, func(body []byte) error {
		var decodeErr error
		resp, decodeErr = DecodeImageInstancesPage(body)
		return decodeErr
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// ListImageInstances reads every image a query selects through List,
// de-duplicated by Uuid.
func (c *Client) ListImageInstances(ctx context.Context, query ImageQuery, opts ListOptions) (*Listing[ImageInstance], error) {
	base, err := imageInstancesQuery(query)
	if err != nil {
		return nil, err
	}
	return List(ctx, c, PagedOperation[ImageInstance]{
		Action: ActionDescribeImageInstances,
		Query:  func(page, size int) map[string]string { return pageQuery(base, page, size) },
		Decode: decodeImageInstancesAsPage,
		Key:    func(img *ImageInstance) (string, bool) { return img.Uuid.Value, img.Uuid.Valid },
		Noun:   "images",
	}, opts)
}

func decodeImageInstancesAsPage(body []byte) (Page[ImageInstance], error) {
	resp, err := DecodeImageInstancesPage(body)
	if err != nil {
		return Page[ImageInstance]{}, err
	}
	return Page[ImageInstance]{Items: resp.ImageInstanceList, TotalCount: int(resp.PageInfo.TotalCount.Value), PageSize: resp.PageInfo.PageSize}, nil
}

// imageInstancesQuery returns the parameters of a query, paging excluded.
func imageInstancesQuery(q ImageQuery) (map[string]string, error) {
	query := map[string]string{}
	if len(q.Criteria) > 0 {
		criteria, err := EncodeCriteria(q.Criteria, q.LogicalExp)
		if err != nil {
			return nil, err
		}
		query["Criteria"] = criteria
	}
	if q.LogicalExp != "" {
		query["LogicalExp"] = q.LogicalExp
	}
	if q.Scanned != nil {
		query["Scanned"] = strconv.FormatBool(*q.Scanned)
	}
	return query, nil
}

// DescribeImageCriteria lists the search conditions images can be filtered
// by, optionally only those matching a keyword.
func (c *Client) DescribeImageCriteria(ctx context.Context, value string) (*DescribeImageCriteriaResponse, error) {
	query := map[string]string{}
	if value != "" {
		query["Value"] = value
	}
	var resp *DescribeImageCriteriaResponse
	err := c.call(ctx, ActionDescribeImageCriteria, query, nil, func(body []byte) error {
		var decodeErr error
		resp, decodeErr = DecodeImageCriteria(body)
		return decodeErr
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}
