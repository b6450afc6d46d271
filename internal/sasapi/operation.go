package sasapi

import (
	"context"
	"encoding/json"
	"fmt"
)

// Operation is one action of the service as this client sends it: how a
// typed request becomes its parameters and how an answer's body is read.
// Call sends it once, List reads every page it selects, and CallEach and
// ListEach do either for several requests at once. Each operation is one
// value, declared in the file of its models (DescribeImageInstances,
// DescribeImageVulList, …); treat those values as read-only.
type Operation[Req, T any] struct {
	// Action is the API action, such as "DescribeImageInstances".
	Action string
	// Noun names the records in the plural, for messages: "images".
	Noun string
	// Params returns the parameters of a request, paging excluded. An
	// error means the request is invalid: nothing is sent.
	Params func(Req) (map[string]string, error)
	// Decode reads one answer with encoding/json: the reference decoder.
	Decode func(body []byte) (Page[T], error)
	// FastDecode, when set, is tried first; on any error Decode reads the
	// body instead and its answer stands. Hot paths only.
	FastDecode func(body []byte) (Page[T], error)
	// Key identifies a record, to drop one repeated on another page; nil,
	// or ok false, keeps the record.
	Key func(item *T) (key string, ok bool)
	// Split, when set, divides a request into the requests one call can
	// carry (List reads them one after the other and merges them).
	Split func(Req) []Req
}

// Page is what one answer holds: its records and, for a listing, the
// records the query matches.
type Page[T any] struct {
	Items []T
	// TotalCount is the number of matching records the answer reports. A
	// listing refuses an answer without one: it is not an answer.
	TotalCount Int
	// PageSize is the page size the answer says it served, if it says.
	PageSize  Int
	RequestID string
}

// Read decodes one answer body, by the fast route when there is one.
func (op Operation[Req, T]) Read(body []byte) (Page[T], error) {
	if op.FastDecode != nil {
		if page, err := op.FastDecode(body); err == nil {
			return page, nil
		}
	}
	return op.Decode(body)
}

// params returns the request's parameters, naming the action on error.
func (op Operation[Req, T]) params(req Req) (map[string]string, error) {
	params, err := op.Params(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.Action, err)
	}
	return params, nil
}

// Call sends one request of op with the client's retries and returns the
// answer: for a list operation, its first page in the service's default
// size.
func Call[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], req Req) (Page[T], error) {
	params, err := op.params(req)
	if err != nil {
		return Page[T]{}, err
	}
	return send(ctx, c, op, params)
}

// CallEach calls op once for each request, at most the client's
// MaxConcurrency at a time, and returns the answers in the order of reqs.
// Every request is checked before any is sent; the first failure cancels
// the calls not yet done and fails the whole: answers are never partial.
func CallEach[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], reqs []Req) ([]Page[T], error) {
	params := make([]map[string]string, len(reqs))
	for k, req := range reqs {
		p, err := op.params(req)
		if err != nil {
			return nil, err
		}
		params[k] = p
	}
	out := make([]Page[T], len(reqs))
	err := c.fanOut(ctx, 0, len(reqs), func(ctx context.Context, k int) (bool, error) {
		page, err := send(ctx, c, op, params[k])
		out[k] = page
		return true, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// send sends one request with retries and reads its answer.
func send[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], params map[string]string) (Page[T], error) {
	var page Page[T]
	err := c.call(ctx, op.Action, params, nil, func(body []byte) error {
		var err error
		page, err = op.Read(body)
		return err
	})
	return page, err
}

// sendOnce sends one request without retrying it, for an action that is
// not idempotent; the caller decides what a failure means.
func sendOnce[Req, T any](ctx context.Context, c *Client, op Operation[Req, T], req Req) (Page[T], error) {
	params, err := op.params(req)
	if err != nil {
		return Page[T]{}, err
	}
	var page Page[T]
	err = c.attempt(ctx, op.Action, params, func(body []byte) error {
		var err error
		page, err = op.Read(body)
		return err
	})
	return page, err
}

// decodeWith returns a Decode that reads a body with decode and takes the
// page from what it read.
func decodeWith[R, T any](decode func([]byte) (*R, error), page func(*R) (Page[T], error)) func(body []byte) (Page[T], error) {
	return func(body []byte) (Page[T], error) {
		r, err := decode(body)
		if err != nil {
			return Page[T]{}, err
		}
		return page(r)
	}
}

// jsonBody decodes a body into a new R with encoding/json.
func jsonBody[R any](body []byte) (*R, error) {
	var r R
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
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

// pageInfoPage is the page of an answer that reports its paging in a
// PageInfo block; an answer without one reports no TotalCount.
func pageInfoPage[T any](requestID string, info *PageInfo, items []T) Page[T] {
	page := Page[T]{Items: items, RequestID: requestID}
	if info != nil {
		page.TotalCount, page.PageSize = info.TotalCount, info.PageSize
	}
	return page
}
