package sasapi

// UuidsPerRequest is the most image Uuids one DescribeImageVulList request
// carries. Uuids travel comma-separated in the URL query: 100 dashed UUIDs
// make about 3.7 KB, well below the 8 KB URL limit common in gateways and
// proxies and below the 10,240 characters the SDK's Java model allows for
// the Uuids of a sibling operation. The service documents no limit.
const UuidsPerRequest = 100

// splitUuids divides a query into queries of at most UuidsPerRequest
// Uuids each, every Uuid once, in order; a query without Uuids stays one.
func splitUuids(q ImageVulQuery) []ImageVulQuery {
	if len(q.Uuids) == 0 {
		return []ImageVulQuery{q}
	}
	var out []ImageVulQuery
	for _, batch := range uuidBatches(q.Uuids, UuidsPerRequest) {
		part := q
		part.Uuids = batch
		out = append(out, part)
	}
	return out
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
