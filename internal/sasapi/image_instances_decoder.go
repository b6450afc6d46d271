package sasapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The DescribeImageInstances page is the hot path of the provider (one
// record per image, tens of thousands per plan), so it has a hand-written
// decoder: jsonScanner finds each value and the scalar types' own
// UnmarshalJSON read it, so every tolerance is theirs. It follows
// encoding/json where it decodes at all (names matched exactly, else
// case-insensitively; unknown names skipped; the last of a repeated name
// wins, decoding into what the first left); anything it does not expect
// sends the body to encoding/json instead, whose answer then stands.

// DecodeImageInstancesPage decodes a DescribeImageInstances response body.
// A body without PageInfo is an error: the client decodes an empty or
// foreign 200 body to nothing, and treating that as "no images" would make
// a gate pass silently.
func DecodeImageInstancesPage(body []byte) (*DescribeImageInstancesResponse, error) {
	if resp, err := decodeImageInstancesPageFast(body); err == nil {
		return resp, nil
	}
	return decodeImageInstancesPageReflect(body)
}

// decodeImageInstancesPageReflect is the encoding/json route: the
// reference the hand-written decoder is held to, and its fallback.
func decodeImageInstancesPageReflect(body []byte) (*DescribeImageInstancesResponse, error) {
	resp := DescribeImageInstancesResponse{ImageInstanceList: make([]ImageInstance, 0, imageCountHint(body))}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decoding %s response: %w", ActionDescribeImageInstances, err)
	}
	if err := checkPageTotal(&resp, len(body)); err != nil {
		return nil, err
	}
	return &resp, nil
}

// imageCountHint sizes the image slice from the number of records, saving
// the growth copies of a 100-image page; a hostile body must not size
// memory, hence the cap.
func imageCountHint(body []byte) int {
	return min(bytes.Count(body, uuidKey), 10*MaxPageSize)
}

func checkPageTotal(resp *DescribeImageInstancesResponse, bodyLen int) error {
	var total Int
	if resp.PageInfo != nil {
		total = resp.PageInfo.TotalCount
	}
	return checkTotalCount(ActionDescribeImageInstances, "PageInfo.TotalCount", total, bodyLen)
}

// decodeImageInstancesPageFast is the hand-written route; any error means
// "use encoding/json". Its strings share one copy of the body instead of
// one allocation each.
func decodeImageInstancesPageFast(body []byte) (*DescribeImageInstancesResponse, error) {
	s := jsonScanner{data: body, text: string(body)}
	resp := &DescribeImageInstancesResponse{ImageInstanceList: make([]ImageInstance, 0, imageCountHint(body))}
	err := s.object(func(name []byte) error {
		switch matchName(name, pageMembers) {
		case "RequestId":
			return s.plainString(&resp.RequestID)
		case "PageInfo":
			return s.pageInfo(&resp.PageInfo)
		case "ImageInstanceList":
			return s.images(&resp.ImageInstanceList, body)
		}
		_, err := s.value()
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.end(); err != nil {
		return nil, err
	}
	if err := checkPageTotal(resp, len(body)); err != nil {
		return nil, err
	}
	return resp, nil
}

var pageMembers = []string{"RequestId", "PageInfo", "ImageInstanceList"}

// matchName returns the member name matches, exactly or else ignoring case
// as encoding/json does, or "" for none.
func matchName(name []byte, members []string) string {
	for _, m := range members {
		if string(name) == m {
			return m
		}
	}
	for _, m := range members {
		if bytes.EqualFold(name, []byte(m)) {
			return m
		}
	}
	return ""
}

// plainString reads a Go string field: a JSON string, or null leaving it.
func (s *jsonScanner) plainString(dst *string) error {
	raw, err := s.value()
	switch {
	case err != nil:
		return err
	case raw[0] == 'n':
		return nil
	case raw[0] != '"':
		return errNotFastPath
	}
	v, err := unquote(raw)
	if err != nil {
		return errNotFastPath
	}
	*dst = v
	return nil
}

// pageInfo reads PageInfo: null clears it, an object decodes into it.
func (s *jsonScanner) pageInfo(dst **PageInfo) error {
	switch s.next() {
	case 'n':
		*dst = nil
		return s.literal("null")
	case '{':
	default:
		return errNotFastPath
	}
	if *dst == nil {
		*dst = &PageInfo{}
	}
	p := *dst
	return s.object(func(name []byte) error {
		var field *Int
		switch matchName(name, pageInfoMembers) {
		case "CurrentPage":
			field = &p.CurrentPage
		case "PageSize":
			field = &p.PageSize
		case "TotalCount":
			field = &p.TotalCount
		case "Count":
			field = &p.Count
		default:
			_, err := s.value()
			return err
		}
		raw, err := s.value()
		if err != nil {
			return err
		}
		return field.UnmarshalJSON(raw)
	})
}

var pageInfoMembers = []string{"CurrentPage", "PageSize", "TotalCount", "Count"}

// images reads ImageInstanceList: null clears it; the elements of an array
// decode into the list from its start, as encoding/json does.
func (s *jsonScanner) images(dst *[]ImageInstance, body []byte) error {
	switch s.next() {
	case 'n':
		*dst = nil
		return s.literal("null")
	case '[':
	default:
		return errNotFastPath
	}
	list := *dst
	if list == nil { // a null came first
		list = make([]ImageInstance, 0, imageCountHint(body))
	}
	n := 0
	err := s.array(func() error {
		if n == len(list) {
			list = append(list, ImageInstance{})
		}
		img := &list[n]
		n++
		switch s.next() {
		case 'n':
			return s.literal("null")
		case '{':
			return s.object(func(name []byte) error { return s.imageMember(img, name) })
		}
		return errNotFastPath
	})
	if err != nil {
		return err
	}
	*dst = list[:n]
	return nil
}

// imageMember decodes one member of an image record.
func (s *jsonScanner) imageMember(img *ImageInstance, name []byte) error {
	field := img.field(name)
	if field == nil {
		if canonical := matchName(name, imageInstanceMembers); canonical != "" {
			field = img.field([]byte(canonical))
		}
	}
	raw, err := s.value()
	if err != nil || field == nil {
		return err
	}
	return setScalar(field, raw, s.text, s.pos-len(raw))
}

// setScalar decodes raw, found at offset start of the body whose one copy
// is text, into field: the common forms directly, without allocating,
// others by the field's UnmarshalJSON.
func setScalar(field json.Unmarshaler, raw []byte, text string, start int) error {
	switch f := field.(type) {
	case *String:
		if v, ok := plainText(raw, text, start); ok {
			*f = String{Value: v, Valid: true}
			return nil
		}
	case *Int:
		if v, ok := plainInt(raw); ok {
			*f = v
			return nil
		}
	case *StringList:
		if v, ok := plainStringList(raw); ok {
			*f = v
			return nil
		}
	}
	return field.UnmarshalJSON(raw)
}

// plainText returns a JSON string without escapes, in valid UTF-8, found at
// offset start of text, as a substring of text: what String.UnmarshalJSON
// would return, without its allocation.
func plainText(raw []byte, text string, start int) (string, bool) {
	if raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') >= 0 || !utf8.Valid(inner) {
		return "", false
	}
	return text[start+1 : start+len(raw)-1], true
}

// plainInt reads a decimal integer, quoted or not, in the int64 range, as
// Int.UnmarshalJSON would, without its allocations; anything else (an
// empty string, 1e3, escapes) is left to it.
func plainInt(raw []byte) (Int, bool) {
	text := raw
	if raw[0] == '"' {
		text = raw[1 : len(raw)-1]
	}
	if len(text) == 0 || len(text) > 20 {
		return Int{}, false
	}
	n, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		return Int{}, false
	}
	return Int{Value: n, Valid: true}, true
}

// plainStringList reads a JSON array of plain strings held in a JSON
// string without escapes other than \", such as Endpoints, as
// StringList.UnmarshalJSON would, with one allocation for the text and one
// for the list.
func plainStringList(raw []byte) (StringList, bool) {
	if raw[0] != '"' {
		return StringList{}, false
	}
	inner, err := unquote(raw)
	if err != nil || inner == "" {
		return StringList{}, false
	}
	s := jsonScanner{data: []byte(inner), text: inner}
	var values []string
	err = s.array(func() error {
		if s.next() != '"' {
			return errNotFastPath
		}
		start := s.pos
		v, escaped, err := s.str()
		if err != nil || escaped {
			return errNotFastPath
		}
		if values == nil {
			values = make([]string, 0, strings.Count(inner, ",")+1)
		}
		values = append(values, s.text[start+1:start+len(v)-1])
		return nil
	})
	if err != nil || s.end() != nil || !utf8.ValidString(inner) {
		return StringList{}, false
	}
	if values == nil {
		values = []string{}
	}
	return StringList{Values: values, Valid: true}, true
}

// imageInstanceMembers lists ImageInstance's JSON names in field order (a
// test holds it to the struct tags).
var imageInstanceMembers = []string{
	"Uuid", "ImageId", "Digest", "Tag", "RepoName", "RepoNamespace", "RepoId", "RepoType",
	"RegistryType", "InstanceId", "RegionId", "Status", "ImageSize", "ImageCreate", "ImageUpdate",
	"LastScanTime", "VulCount", "HcCount", "AlarmCount", "ScaProgress", "VulStatus", "HcStatus",
	"AlarmStatus", "RiskStatus", "ScaStatus", "ScaResult", "Deployed", "Endpoints", "SourceBizTag",
}

// field returns the field a JSON name decodes into, nil for none.
func (img *ImageInstance) field(name []byte) json.Unmarshaler {
	switch string(name) {
	case "Uuid":
		return &img.Uuid
	case "ImageId":
		return &img.ImageId
	case "Digest":
		return &img.Digest
	case "Tag":
		return &img.Tag
	case "RepoName":
		return &img.RepoName
	case "RepoNamespace":
		return &img.RepoNamespace
	case "RepoId":
		return &img.RepoId
	case "RepoType":
		return &img.RepoType
	case "RegistryType":
		return &img.RegistryType
	case "InstanceId":
		return &img.InstanceId
	case "RegionId":
		return &img.RegionId
	case "Status":
		return &img.Status
	case "ImageSize":
		return &img.ImageSize
	case "ImageCreate":
		return &img.ImageCreate
	case "ImageUpdate":
		return &img.ImageUpdate
	case "LastScanTime":
		return &img.LastScanTime
	case "VulCount":
		return &img.VulCount
	case "HcCount":
		return &img.HcCount
	case "AlarmCount":
		return &img.AlarmCount
	case "ScaProgress":
		return &img.ScaProgress
	case "VulStatus":
		return &img.VulStatus
	case "HcStatus":
		return &img.HcStatus
	case "AlarmStatus":
		return &img.AlarmStatus
	case "RiskStatus":
		return &img.RiskStatus
	case "ScaStatus":
		return &img.ScaStatus
	case "ScaResult":
		return &img.ScaResult
	case "Deployed":
		return &img.Deployed
	case "Endpoints":
		return &img.Endpoints
	case "SourceBizTag":
		return &img.SourceBizTag
	}
	return nil
}
