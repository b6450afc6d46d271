package sasapi

import (
	"context"
	"strconv"
)

// DescribeImageInstances fetches one page of images, with retries.
func (c *Client) DescribeImageInstances(ctx context.Context, req DescribeImageInstancesRequest) (*DescribeImageInstancesResponse, error) {
	return c.describeImageInstances(ctx, req, nil)
}

func (c *Client) describeImageInstances(ctx context.Context, req DescribeImageInstancesRequest, observe retryObserver) (*DescribeImageInstancesResponse, error) {
	query, err := imageInstancesQuery(req)
	if err != nil {
		return nil, err
	}
	var resp *DescribeImageInstancesResponse
	err = c.call(ctx, ActionDescribeImageInstances, query, observe, func(body []byte) error {
		var decodeErr error
		resp, decodeErr = DecodeImageInstancesPage(body)
		return decodeErr
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func imageInstancesQuery(req DescribeImageInstancesRequest) (map[string]string, error) {
	query := map[string]string{}
	if len(req.Criteria) > 0 {
		criteria, err := EncodeCriteria(req.Criteria, req.LogicalExp)
		if err != nil {
			return nil, err
		}
		query["Criteria"] = criteria
	}
	if req.LogicalExp != "" {
		query["LogicalExp"] = req.LogicalExp
	}
	if req.Scanned != nil {
		query["Scanned"] = strconv.FormatBool(*req.Scanned)
	}
	if req.PageSize > 0 {
		query["PageSize"] = strconv.Itoa(req.PageSize)
	}
	if req.CurrentPage > 0 {
		query["CurrentPage"] = strconv.Itoa(req.CurrentPage)
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
