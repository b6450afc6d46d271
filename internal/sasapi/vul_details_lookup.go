package sasapi

import (
	"context"
)

// VulDetailsOptions controls LookupVulDetails.
type VulDetailsOptions struct {
	// Type defaults to VulTypeCVE.
	Type string
	// Lang is "en" or "zh"; the service requires it.
	Lang string
}

// LookupVulDetails calls DescribeVulDetails once for each distinct,
// non-empty name, concurrently under the client's limits, and returns the
// CVEs of each name. Any lookup failing after its retries fails the whole
// call: details are never partial.
func LookupVulDetails(ctx context.Context, c *Client, names []string, opts VulDetailsOptions) (map[string][]CVE, error) {
	distinct := distinctNames(names)
	reqs := make([]DescribeVulDetailsRequest, len(distinct))
	for k, name := range distinct {
		reqs[k] = DescribeVulDetailsRequest{Name: name, Type: opts.Type, Lang: opts.Lang}
	}
	pages, err := CallEach(ctx, c, DescribeVulDetails, reqs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]CVE, len(distinct))
	for k, name := range distinct {
		out[name] = pages[k].Items
	}
	return out, nil
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
