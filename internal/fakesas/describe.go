package fakesas

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	actionDescribeImageInstances = "DescribeImageInstances"
	actionDescribeImageCriteria  = "DescribeImageCriteria"
	defaultPageSize              = 20
)

type pageInfo struct {
	CurrentPage int
	PageSize    *int `json:",omitempty"`
	TotalCount  int
	Count       int
}

// PageSizeReport is what DescribeImageInstances and the secrets and
// malware listings report as PageInfo.PageSize.
type PageSizeReport int

const (
	// ReportServedPageSize reports the size served, after MaxPageSize.
	ReportServedPageSize PageSizeReport = iota
	// ReportRequestedPageSize echoes the PageSize asked for: a cap the
	// service does not admit to.
	ReportRequestedPageSize
	// OmitPageSize leaves PageSize out of PageInfo.
	OmitPageSize
)

// ParsePageSizeReport reads "served", "requested" or "omitted".
func ParsePageSizeReport(s string) (PageSizeReport, error) {
	for r, name := range pageSizeReportNames {
		if s == name {
			return PageSizeReport(r), nil
		}
	}
	return 0, fmt.Errorf("unknown page size report %q (want served, requested or omitted)", s)
}

var pageSizeReportNames = [...]string{ReportServedPageSize: "served", ReportRequestedPageSize: "requested", OmitPageSize: "omitted"}

// reportedPageSize is PageInfo.PageSize for a page of served records asked
// for with requested (the default page size when the query had none).
func (r PageSizeReport) reportedPageSize(served, requested int) *int {
	switch r {
	case ReportRequestedPageSize:
		return &requested
	case OmitPageSize:
		return nil
	}
	return &served
}

// imageInstancesHead is a DescribeImageInstances answer without its
// records.
type imageInstancesHead struct {
	RequestID string `json:"RequestId"`
	PageInfo  pageInfo
}

type imageCriteriaResponse struct {
	RequestID    string `json:"RequestId"`
	CriteriaList []CriteriaEntry
}

// instancesQuery is a validated DescribeImageInstances request.
type instancesQuery struct {
	criteria []criterion
	or       bool
	scanned  *bool
	page     int
	pageSize int // as served: requestedSize capped
	// requestedSize is the PageSize asked for, or the default.
	requestedSize int
}

func parseInstancesQuery(q url.Values, maxPageSize int) (instancesQuery, *apiError) {
	var iq instancesQuery
	var e *apiError
	if iq.pageSize, e = positiveInt(q, "PageSize", defaultPageSize); e != nil {
		return iq, e
	}
	iq.requestedSize = iq.pageSize
	iq.pageSize = min(iq.pageSize, maxPageSize)
	if iq.page, e = positiveInt(q, "CurrentPage", 1); e != nil {
		return iq, e
	}
	switch exp := q.Get("LogicalExp"); exp {
	case "", "AND":
	case "OR":
		iq.or = true
	default:
		return iq, invalidParameter("The specified parameter LogicalExp %q is invalid; use AND or OR.", exp)
	}
	switch v := strings.ToLower(q.Get("Scanned")); v {
	case "":
	case "true", "false":
		b := v == "true"
		iq.scanned = &b
	default:
		return iq, invalidParameter("The specified parameter Scanned %q is invalid; use true or false.", q.Get("Scanned"))
	}
	iq.criteria, e = parseCriteria(q.Get("Criteria"))
	return iq, e
}

// positiveInt reads an optional integer parameter that must be at least 1.
func positiveInt(q url.Values, name string, def int) (int, *apiError) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n <= 0 {
		return 0, invalidParameter("The specified parameter %s %q is invalid.", name, q.Get(name))
	}
	return n, nil
}

// describeImageInstances filters the dataset and serves one page of it.
func (s *Server) describeImageInstances(q url.Values, requestID string) ([]byte, *apiError) {
	iq, e := parseInstancesQuery(q, s.maxPageSize)
	if e != nil {
		return nil, e
	}
	data, override := s.snapshotImages()
	// One pass counts every match and keeps only the requested page, so
	// paging through a large dataset does not copy it on every request.
	first := math.MaxInt // a page number so large the offset overflows is past the end
	if iq.page-1 <= math.MaxInt/iq.pageSize {
		first = (iq.page - 1) * iq.pageSize
	}
	page := make([]json.RawMessage, 0, min(iq.pageSize, len(data.images)))
	total := 0
	for i, img := range data.images {
		if iq.scanned != nil && isScanned(img) != *iq.scanned {
			continue
		}
		if !matches(img, iq.criteria, iq.or, s.substring) {
			continue
		}
		if total >= first && len(page) < iq.pageSize {
			raw, err := data.json(i)
			if err != nil {
				// Only a dataset value JSON cannot represent (a channel, NaN…) gets here.
				return nil, newAPIError(http.StatusInternalServerError, "ServerError", "fakesas: %v", err)
			}
			page = append(page, raw)
		}
		total++
	}
	if override > 0 {
		total = override
	}
	b, err := pageAround(imageInstancesHead{
		RequestID: requestID,
		PageInfo: pageInfo{
			CurrentPage: iq.page,
			PageSize:    s.pageSizeReport.reportedPageSize(iq.pageSize, iq.requestedSize),
			TotalCount:  total,
			Count:       len(page),
		},
	}, "ImageInstanceList", page)
	if err != nil {
		return nil, newAPIError(http.StatusInternalServerError, "ServerError", "fakesas: %v", err)
	}
	return b, nil
}

// describeImageCriteria lists the criteria, optionally filtered by keyword.
func (s *Server) describeImageCriteria(q url.Values, requestID string) ([]byte, *apiError) {
	s.mu.Lock()
	entries := s.criteria
	images := s.data.images
	s.mu.Unlock()
	if kw := q.Get("Value"); kw != "" {
		entries = criteriaMatchingKeyword(entries, images, kw)
	}
	if entries == nil {
		entries = []CriteriaEntry{}
	}
	return marshalResponse(imageCriteriaResponse{RequestID: requestID, CriteriaList: entries})
}

// pageAround writes an answer as encoding/json writes head followed by one
// more member, list, holding records already encoded, without validating
// and compacting every record again: that was most of the fake's time per
// page, which benchmarks count against the client on a shared machine.
func pageAround(head any, list string, records []json.RawMessage) ([]byte, error) {
	h, err := marshalJSON(head)
	if err != nil {
		return nil, err
	}
	name, err := marshalJSON(list)
	if err != nil {
		return nil, err
	}
	size := len(h) + len(name) + 4
	for _, r := range records {
		size += len(r) + 1
	}
	b := append(make([]byte, 0, size), h[:len(h)-1]...) // head without its closing brace
	if len(h) > len("{}") {
		b = append(b, ',')
	}
	b = append(append(b, name...), ":["...)
	for k, r := range records {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return append(b, "]}"...), nil
}

func marshalResponse(v any) ([]byte, *apiError) {
	b, err := marshalJSON(v)
	if err != nil {
		// Only a dataset value JSON cannot represent (a channel, NaN…) gets here.
		return nil, newAPIError(http.StatusInternalServerError, "ServerError", "fakesas: %v", err)
	}
	return b, nil
}
