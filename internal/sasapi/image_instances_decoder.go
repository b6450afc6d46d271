package sasapi

import (
	"bytes"
	"encoding/json"
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

// decodeImageInstancesPageReflect is the encoding/json route: the
// reference the hand-written decoder is held to, and its fallback.
func decodeImageInstancesPageReflect(body []byte) (*DescribeImageInstancesResponse, error) {
	resp := DescribeImageInstancesResponse{ImageInstanceList: make([]ImageInstance, 0, imageCountHint(body))}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// imageCountHint sizes the image slice from the number of records (see
// recordsCapacity in sizing.go).
func imageCountHint(body []byte) int { return recordsCapacity(body) }

// imageCapacity bounds the records of a page from above: every record
// opens a brace. The hand-written decoder keeps pointers into its list,
// which therefore must never grow.
func imageCapacity(body []byte) int {
	return min(bytes.Count(body, []byte{'{'}), 10*MaxPageSize)
}

// decodeImageInstancesPageFast is the hand-written route; any error means
// "use encoding/json".
func decodeImageInstancesPageFast(body []byte) (*DescribeImageInstancesResponse, error) {
	d := &pageDecoder{jsonScanner: jsonScanner{data: body}}
	resp := &DescribeImageInstancesResponse{ImageInstanceList: make([]ImageInstance, 0, imageCountHint(body))}
	listSeen := false
	err := d.page(func(name []byte) error {
		switch matchName(name, pageMembers) {
		case "RequestId":
			return d.plainString(&resp.RequestID)
		case "PageInfo":
			return d.pageInfo(&resp.PageInfo)
		case "ImageInstanceList":
			if listSeen { // encoding/json would merge the two: leave it that
				return errNotFastPath
			}
			listSeen = true
			return d.images(&resp.ImageInstanceList)
		}
		_, err := d.value()
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// pageDecoder is a jsonScanner that collects the plain string values of a
// page (no escapes, valid UTF-8: nearly all) and, once the page is read,
// copies them into one block that they all share: one allocation instead
// of one per string, and no more memory kept than the strings themselves.
type pageDecoder struct {
	jsonScanner
	texts []textRef
	seen  uint64 // the members of the current record already read
}

// stringFields is how many String fields an ImageInstance has.
const stringFields = 19

// textRef is a string field waiting for its value, data[start:end].
type textRef struct {
	dst        *string
	start, end int
}

// setText gives dst the value data[start:end] once the page is read.
func (d *pageDecoder) setText(dst *string, start, end int) {
	if d.texts == nil {
		d.texts = make([]textRef, 0, stringFields*imageCountHint(d.data))
	}
	d.texts = append(d.texts, textRef{dst: dst, start: start, end: end})
}

// page reads the body as one JSON object, member reading each member's
// value, and then sets the collected strings (finish).
func (d *pageDecoder) page(member func(name []byte) error) error {
	if err := d.object(member); err != nil {
		return err
	}
	if err := d.end(); err != nil {
		return err
	}
	d.finish()
	return nil
}

// finish copies the collected values into one block and sets the fields.
func (d *pageDecoder) finish() {
	var b strings.Builder
	b.Grow(textBlockSize(d.texts))
	for _, t := range d.texts {
		b.Write(d.data[t.start:t.end])
	}
	block, off := b.String(), 0
	for _, t := range d.texts {
		n := t.end - t.start
		*t.dst = block[off : off+n]
		off += n
	}
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
func (s *pageDecoder) plainString(dst *string) error {
	raw, err := s.value()
	if err != nil {
		return err
	}
	switch raw[0] {
	case 'n':
		return nil
	case '"':
	default:
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
func (s *pageDecoder) pageInfo(dst **PageInfo) error {
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

// images reads ImageInstanceList: null clears it, an array fills it.
func (d *pageDecoder) images(dst *[]ImageInstance) error {
	return records(d, dst, imageCapacity(d.data), d.imageMember)
}

// records reads a JSON array of records: null clears dst, an array fills a
// list of at most capacity records (the decoder keeps pointers into it, so
// it never grows; a longer array leaves the page to encoding/json), each
// record's members read by member (d.seen marks those already read).
func records[T any](d *pageDecoder, dst *[]T, capacity int, member func(r *T, name []byte) error) error {
	switch d.next() {
	case 'n':
		*dst = nil
		return d.literal("null")
	case '[':
	default:
		return errNotFastPath
	}
	list := make([]T, 0, capacity)
	err := d.array(func() error {
		if len(list) == cap(list) {
			return errNotFastPath
		}
		var zero T
		list = append(list, zero)
		r := &list[len(list)-1]
		switch d.next() {
		case 'n':
			return d.literal("null")
		case '{':
			d.seen = 0
			return d.object(func(name []byte) error { return member(r, name) })
		}
		return errNotFastPath
	})
	if err != nil {
		return err
	}
	*dst = list
	return nil
}

// imageMember decodes one member of an image record. A repeated member
// leaves the record to encoding/json.
func (d *pageDecoder) imageMember(img *ImageInstance, name []byte) error {
	seen := &d.seen
	field, k := img.field(name)
	if field == nil {
		if canonical := matchName(name, imageInstanceMembers); canonical != "" {
			field, k = img.field([]byte(canonical))
		}
	}
	raw, err := d.value()
	if err != nil || field == nil {
		return err
	}
	if *seen&(1<<k) != 0 {
		return errNotFastPath
	}
	*seen |= 1 << k
	return d.setScalar(field, raw, d.pos-len(raw))
}

// setScalar decodes raw, found at offset start, into field: the common
// forms directly, without allocating, others by the field's UnmarshalJSON.
func (d *pageDecoder) setScalar(field json.Unmarshaler, raw []byte, start int) error {
	switch f := field.(type) {
	case *String:
		if isPlainText(raw) {
			*f = String{Valid: true}
			d.setText(&f.Value, start+1, start+len(raw)-1)
			return nil
		}
	case *Int:
		return setInt(f, raw)
	case *StringList:
		if v, ok := plainStringList(raw); ok {
			*f = v
			return nil
		}
	}
	return field.UnmarshalJSON(raw)
}

// setInt decodes raw into an Int: a plain decimal directly, anything else
// by Int.UnmarshalJSON.
func setInt(f *Int, raw []byte) error {
	if v, ok := plainInt(raw); ok {
		*f = v
		return nil
	}
	return f.UnmarshalJSON(raw)
}

// isPlainText reports whether raw is a JSON string without escapes in
// valid UTF-8: its value is its bytes between the quotes, as
// String.UnmarshalJSON would return.
func isPlainText(raw []byte) bool {
	inner, quoted := quotedText(raw)
	return quoted && bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
}

// quotedText returns a JSON string's bytes between its quotes, and false
// for any other JSON value.
func quotedText(raw []byte) ([]byte, bool) {
	inner, opened := bytes.CutPrefix(raw, quote)
	inner, closed := bytes.CutSuffix(inner, quote)
	return inner, opened && closed
}

var quote = []byte{'"'}

// plainInt reads a decimal integer, quoted or not, in the int64 range, as
// Int.UnmarshalJSON would, without its allocations; anything else (an
// empty string, 1e3, escapes) is left to it.
func plainInt(raw []byte) (Int, bool) {
	text, quoted := quotedText(raw)
	if !quoted {
		text = raw
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

// field returns the field a JSON name decodes into and its index in
// imageInstanceMembers, or nil and an index no caller reads.
func (img *ImageInstance) field(name []byte) (json.Unmarshaler, int) {
	switch string(name) {
	case "Uuid":
		return &img.Uuid, 0
	case "ImageId":
		return &img.ImageId, 1
	case "Digest":
		return &img.Digest, 2
	case "Tag":
		return &img.Tag, 3
	case "RepoName":
		return &img.RepoName, 4
	case "RepoNamespace":
		return &img.RepoNamespace, 5
	case "RepoId":
		return &img.RepoId, 6
	case "RepoType":
		return &img.RepoType, 7
	case "RegistryType":
		return &img.RegistryType, 8
	case "InstanceId":
		return &img.InstanceId, 9
	case "RegionId":
		return &img.RegionId, 10
	case "Status":
		return &img.Status, 11
	case "ImageSize":
		return &img.ImageSize, 12
	case "ImageCreate":
		return &img.ImageCreate, 13
	case "ImageUpdate":
		return &img.ImageUpdate, 14
	case "LastScanTime":
		return &img.LastScanTime, 15
	case "VulCount":
		return &img.VulCount, 16
	case "HcCount":
		return &img.HcCount, 17
	case "AlarmCount":
		return &img.AlarmCount, 18
	case "ScaProgress":
		return &img.ScaProgress, 19
	case "VulStatus":
		return &img.VulStatus, 20
	case "HcStatus":
		return &img.HcStatus, 21
	case "AlarmStatus":
		return &img.AlarmStatus, 22
	case "RiskStatus":
		return &img.RiskStatus, 23
	case "ScaStatus":
		return &img.ScaStatus, 24
	case "ScaResult":
		return &img.ScaResult, 25
	case "Deployed":
		return &img.Deployed, 26
	case "Endpoints":
		return &img.Endpoints, 27
	case "SourceBizTag":
		return &img.SourceBizTag, 28
	}
	return nil, 0
}
