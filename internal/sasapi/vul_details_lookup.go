package sasapi

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// VulDetailsOptions controls LookupVulDetails.
type VulDetailsOptions struct {
	// Type defaults to VulTypeCVE.
	Type string
	// Lang is "en" or "zh"; the service requires it.
	Lang string
	// MaxConcurrency bounds the lookups in flight; 0 uses the client's.
	MaxConcurrency int
}

// LookupVulDetails calls DescribeVulDetails once for each distinct,
// non-empty name, at most MaxConcurrency at a time and fewer while the
// service throttles, and returns the CVEs of each name. Any lookup failing
// after its retries fails the whole call: details are never partial.
func (c *Client) LookupVulDetails(ctx context.Context, names []string, opts VulDetailsOptions) (map[string][]CVE, error) {
	if opts.MaxConcurrency < 0 {
		return nil, fmt.Errorf("%s: MaxConcurrency must not be negative", ActionDescribeVulDetails)
	}
	distinct := distinctNames(names)
	out := make(map[string][]CVE, len(distinct))
	if len(distinct) == 0 {
		return out, nil
	}
	concurrency := opts.MaxConcurrency
	if concurrency == 0 {
		concurrency = c.cfg.MaxConcurrency
	}
	limiter := newConcurrencyLimiter(concurrency)
	observe := func(err error) {
		if IsThrottling(err) {
			limiter.throttled()
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(concurrency, len(distinct)) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(distinct) || ctx.Err() != nil {
					return
				}
				if err := limiter.acquire(ctx); err != nil {
					return
				}
				cves, err := c.describeVulDetails(ctx, distinct[k], opts, observe)
				limiter.release(err == nil)
				if err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				out[distinct[k]] = cves
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) describeVulDetails(ctx context.Context, name string, opts VulDetailsOptions, observe retryObserver) ([]CVE, error) {
	var resp *DescribeVulDetailsResponse
	err := c.call(ctx, ActionDescribeVulDetails, vulDetailsQuery(DescribeVulDetailsRequest{Name: name, Type: opts.Type, Lang: opts.Lang}), observe, func(body []byte) error {
		var decodeErr error
		resp, decodeErr = DecodeVulDetails(body)
		return decodeErr
	})
	if err != nil {
		return nil, fmt.Errorf("vulnerability %q: %w", name, err)
	}
	return resp.Cves, nil
}

// distinctNames drops empty and repeated names, keeping the first order.
func distinctNames(names []string) []string {
	seen := make(map[string]bool, len(names))
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
