package sasapi

import (
	"context"
	"fmt"
)

// UuidsPerRequest is the most image Uuids one DescribeImageVulList request
// carries. Uuids travel comma-separated in the URL query: 100 dashed UUIDs
// make about 3.7 KB, well below the 8 KB URL limit common in gateways and
// proxies and below the 10,240 characters the SDK's Java model allows for
// the Uuids of a sibling operation. The service documents no limit.
const UuidsPerRequest = 100

// listInBatches reads the rows of each batch of UuidsPerRequest Uuids, one
// batch after the other (each one pages concurrently), and merges them:
// rows in batch order, TotalCount summed. Repeated Uuids are read once.
// With MaxResults, a batch reached after the limit is still asked for one
// row, so that TotalCount stays the sum over every batch.
func (c *Client) listInBatches(ctx context.Context, query ImageVulQuery, opts ListOptions) (*Listing[VulRecord], error) {
	if _, err := imageVulQuery(query); err != nil {
		return nil, err // a bad Uuid in a later batch must not let earlier ones be sent
	}
	batches := uuidBatches(query.Uuids, UuidsPerRequest)
	merged := &Listing[VulRecord]{Items: []VulRecord{}}
	for k, batch := range batches {
		q, o := query, opts
		q.Uuids = batch
		remaining := opts.MaxResults - len(merged.Items)
		if opts.MaxResults > 0 {
			o.MaxResults = max(remaining, 1)
		}
		l, err := c.listImageVulnerabilities(ctx, q, o)
		if err != nil {
			return nil, fmt.Errorf("batch %d of %d (%d Uuids): %w", k+1, len(batches), len(batch), err)
		}
		if opts.MaxResults > 0 {
			l.Items = l.Items[:min(len(l.Items), max(remaining, 0))]
		}
		mergeBatch(merged, l)
	}
	return merged, nil
}

// mergeBatch adds a batch's listing to merged: rows in order, counts
// summed, the smallest page size a batch was served kept.
func mergeBatch(merged, l *Listing[VulRecord]) {
	merged.Items = append(merged.Items, l.Items...)
	merged.TotalCount += l.TotalCount
	merged.Requests += l.Requests
	merged.Retries += l.Retries
	merged.Duplicates += l.Duplicates
	merged.Warnings = append(merged.Warnings, l.Warnings...)
	if merged.PageSize == 0 {
		merged.PageSize = l.PageSize
	} else {
		merged.PageSize = min(merged.PageSize, l.PageSize)
	}
}

// uuidBatches splits uuids into batches of at most size, first occurrence
// of each Uuid kept, order preserved.
func uuidBatches(uuids []string, size int) [][]string {
	seen := make(map[string]bool, len(uuids))
	var batches [][]string
	var batch []string
	for _, u := range uuids {
		if seen[u] {
			continue
		}
		seen[u] = true
		batch = append(batch, u)
		if len(batch) == size {
			batches = append(batches, batch)
			batch = nil
		}
	}
	if len(batch) > 0 {
		batches = append(batches, batch)
	}
	return batches
}
