package sasapi

import (
	"errors"
	"fmt"
)

// The API version of every operation, and the page size limit.
const (
	APIVersion = "2018-12-03"

	// MaxPageSize is the largest page size the SAS list calls are known to accept.
	MaxPageSize = 100
)

// PageInfo is the paging block of a list response.
type PageInfo struct {
	CurrentPage Int `json:"CurrentPage"`
	PageSize    Int `json:"PageSize"`
	TotalCount  Int `json:"TotalCount"`
	Count       Int `json:"Count"`
}

// errNoAnswer marks a 200 body without what every answer of its operation
// holds, such as the empty body a misbehaving gateway sends: it is
// retried, never read as "no records".
var errNoAnswer = errors.New("the body is not an answer")

func noAnswer(missing string, bodyLen int) error {
	return fmt.Errorf("%w (%d bytes): no %s", errNoAnswer, bodyLen, missing)
}

// checkTotalCount rejects a list answer whose count is missing or negative.
func checkTotalCount(total Int, bodyLen int) error {
	if !total.Valid {
		return noAnswer("TotalCount", bodyLen)
	}
	if total.Value < 0 {
		return fmt.Errorf("negative TotalCount %d", total.Value)
	}
	return nil
}
