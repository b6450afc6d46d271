package sasapi

import "bytes"

// Capacity hints: how much to allocate up front for what is about to be
// read. Whatever they answer, the result is the same; they only save the
// copies of a growing buffer (BENCHMARKS.md).

// bodyCapacity sizes the buffer of a body of contentLength bytes (-1 when
// unknown), never beyond limit.
func bodyCapacity(contentLength, limit int64) int {
	if contentLength > 0 && contentLength <= limit {
		return int(contentLength) + 1
	}
	return 4096
}

var uuidKey = []byte(`"Uuid"`)

// recordsCapacity estimates the records of an image page from its Uuid
// keys; a hostile body must not size memory, so never beyond 1000.
func recordsCapacity(body []byte) int {
	return min(bytes.Count(body, uuidKey), 10*MaxPageSize)
}

// textBlockSize is the length of the block that holds every collected
// string value of a page.
func textBlockSize(texts []textRef) int {
	n := 0
	for _, t := range texts {
		n += t.end - t.start
	}
	return n
}

// vulRecordCapacity bounds the rows of a vulnerability page from above:
// every row opens a brace. The decoder keeps pointers into its list, so a
// page with more rows than this leaves the fast path (same result).
func vulRecordCapacity(body []byte) int {
	return min(bytes.Count(body, []byte{'{'}), 10*MaxPageSize)
}
