package sasapi

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// A DescribeImageVulList page has a hand-written decoder, as the images
// page has (image_instances_decoder.go, whose rules it follows): listing
// the rows of many images decodes tens of pages at once, and encoding/json with
// the scalars' UnmarshalJSON (and ExtendContentJson decoded a second
// time) was most of the client's CPU per page (bench/notes.md). Each
// scalar is read by its type's UnmarshalJSON unless it has the plain form
// the fast paths read the same way; ExtendContentJson, an object or a
// string holding one, is scanned in either form. Anything unexpected (a
// repeated member, a value of another shape) sends the body to
// encoding/json, whose answer then stands.

var vulPageMembers = []string{"RequestId", "CurrentPage", "PageSize", "TotalCount", "VulRecords"}

// decodeImageVulListPageFast is the hand-written route; any error means
// "use encoding/json".
func decodeImageVulListPageFast(body []byte) (*DescribeImageVulListResponse, error) {
	d := &pageDecoder{jsonScanner: jsonScanner{data: body}}
	resp := &DescribeImageVulListResponse{}
	var seen uint32
	err := d.page(func(name []byte) error {
		member := matchName(name, vulPageMembers)
		k := slices.Index(vulPageMembers, member)
		if k < 0 {
			_, err := d.value()
			return err
		}
		if seen&(1<<k) != 0 { // encoding/json would merge the two
			return errNotFastPath
		}
		seen |= 1 << k
		var field *Int
		switch member {
		case "RequestId":
			return d.plainString(&resp.RequestID)
		case "VulRecords":
			return d.vulRecords(&resp.VulRecords)
		case "CurrentPage":
			field = &resp.CurrentPage
		case "PageSize":
			field = &resp.PageSize
		default:
			field = &resp.TotalCount
		}
		raw, err := d.value()
		if err != nil {
			return err
		}
		return setInt(field, raw)
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// vulRecords reads VulRecords: null clears it, an array fills it.
func (d *pageDecoder) vulRecords(dst *[]VulRecord) error {
	return records(d, dst, vulRecordCapacity(d.data), d.vulRecordMember)
}

// vulRecordMember decodes one member of a row. A repeated member leaves
// the page to encoding/json.
func (d *pageDecoder) vulRecordMember(r *VulRecord, name []byte) error {
	seen := &d.seen
	k := slices.Index(vulRecordMembers, matchName(name, vulRecordMembers))
	if k < 0 {
		_, err := d.value()
		return err
	}
	if *seen&(1<<k) != 0 {
		return errNotFastPath
	}
	*seen |= 1 << k
	if k == vulExtendContentMember {
		return d.extendContent(&r.ExtendContentJson)
	}
	raw, err := d.value()
	if err != nil {
		return err
	}
	return d.setListOrScalar(r.field(k), raw, d.pos-len(raw))
}

// setListOrScalar is setScalar that also reads a StringList sent as a JSON
// array of plain strings (Layers, MatchList) without encoding/json.
func (d *pageDecoder) setListOrScalar(field json.Unmarshaler, raw []byte, start int) error {
	if list, ok := field.(*StringList); ok {
		if v, ok := plainStringArray(raw); ok { // not an array: not ok
			*list = v
			return nil
		}
	}
	return d.setScalar(field, raw, start)
}

// plainStringArray reads a JSON array of strings without escapes in valid
// UTF-8, as StringList.UnmarshalJSON would, with one allocation for the
// text and one for the list.
func plainStringArray(raw []byte) (StringList, bool) {
	s := jsonScanner{data: raw}
	var bounds [][2]int
	err := s.array(func() error {
		if s.next() != '"' {
			return errNotFastPath
		}
		start := s.pos
		v, escaped, err := s.str()
		if err != nil || escaped || !utf8.Valid(v) {
			return errNotFastPath
		}
		bounds = append(bounds, [2]int{start + 1, s.pos - 1})
		return nil
	})
	if err != nil || s.end() != nil {
		return StringList{}, false
	}
	text := string(raw)
	values := make([]string, len(bounds))
	for k, b := range bounds {
		values[k] = text[b[0]:b[1]]
	}
	return StringList{Values: values, Valid: true}, true
}

// extendContent reads ExtendContentJson as VulExtendContent.UnmarshalJSON
// does: an object, or a string holding one (scanned by a decoder of its
// own over the unquoted text); null, "" or "null" leave it not Valid. e is
// a fresh row's: a repeated member leaves the page to encoding/json.
func (d *pageDecoder) extendContent(e *VulExtendContent) error {
	if d.next() == '{' {
		if err := d.extendObject(e); err != nil {
			return err
		}
		e.Valid = true
		return nil
	}
	raw, err := d.value()
	if err != nil {
		return err
	}
	if bytes.Equal(raw, jsonNull) {
		return nil
	}
	if raw[0] != '"' {
		return errNotFastPath
	}
	text, err := unquote(raw)
	if err != nil {
		return errNotFastPath
	}
	inner := bytes.TrimSpace([]byte(text))
	if len(inner) == 0 || bytes.Equal(inner, jsonNull) {
		return nil
	}
	sub := &pageDecoder{jsonScanner: jsonScanner{data: inner}}
	if err := sub.extendObject(e); err != nil {
		return err
	}
	if err := sub.end(); err != nil {
		return err
	}
	sub.finish()
	e.Valid = true
	return nil
}

var extendMembers = []string{"Os", "OsRelease", "RpmEntityList"}

// extendObject reads the members of an ExtendContentJson object.
func (d *pageDecoder) extendObject(e *VulExtendContent) error {
	var seen uint32
	return d.object(func(name []byte) error {
		member := matchName(name, extendMembers)
		k := slices.Index(extendMembers, member)
		if k < 0 {
			_, err := d.value()
			return err
		}
		if seen&(1<<k) != 0 {
			return errNotFastPath
		}
		seen |= 1 << k
		var field *String
		switch member {
		case "RpmEntityList":
			return d.packages(&e.RpmEntityList)
		case "Os":
			field = &e.Os
		default:
			field = &e.OsRelease
		}
		raw, err := d.value()
		if err != nil {
			return err
		}
		return d.setScalar(field, raw, d.pos-len(raw))
	})
}

// packages reads RpmEntityList: null leaves it nil, an array fills a list
// of its exact length (counted first: the decoder keeps pointers into it).
func (d *pageDecoder) packages(dst *[]VulPackage) error {
	switch d.next() {
	case 'n':
		return d.literal("null")
	case '[':
	default:
		return errNotFastPath
	}
	start, n := d.pos, 0
	err := d.array(func() error {
		n++
		_, err := d.value()
		return err
	})
	if err != nil {
		return err
	}
	d.pos = start
	list := make([]VulPackage, n)
	k := 0
	err = d.array(func() error {
		p := &list[k]
		k++
		switch d.next() {
		case 'n':
			return d.literal("null")
		case '{':
			var seen uint32
			return d.object(func(name []byte) error { return d.packageMember(p, name, &seen) })
		}
		return errNotFastPath
	})
	if err != nil {
		return err
	}
	*dst = list
	return nil
}

var vulPackageMembers = []string{"Name", "Version", "FullVersion", "Path", "Layer", "MatchDetail", "MatchList", "UpdateCmd"}

func (d *pageDecoder) packageMember(p *VulPackage, name []byte, seen *uint32) error {
	k := slices.Index(vulPackageMembers, matchName(name, vulPackageMembers))
	if k < 0 {
		_, err := d.value()
		return err
	}
	if *seen&(1<<k) != 0 {
		return errNotFastPath
	}
	*seen |= 1 << k
	fields := [...]json.Unmarshaler{&p.Name, &p.Version, &p.FullVersion, &p.Path, &p.Layer, &p.MatchDetail, &p.MatchList, &p.UpdateCmd}
	raw, err := d.value()
	if err != nil {
		return err
	}
	return d.setListOrScalar(fields[k], raw, d.pos-len(raw))
}

// vulRecordMembers lists VulRecord's JSON names in field order (a test
// holds it to the struct tags); ExtendContentJson is the last.
var vulRecordMembers = []string{
	"Name", "AliasName", "Related", "Type", "Necessity", "Status", "CanFix", "CanUpdate", "PrimaryId",
	"Uuid", "Image", "ImageDigest", "RepoName", "RepoNamespace", "Tag", "RuleTag", "Layers",
	"FirstTs", "LastTs", "ModifyTs", "ScanTime", "ClusterId", "ClusterName", "ContainerId", "Namespace",
	"Pod", "TargetId", "TargetName", "TargetType", "MaliciousSource", "ExtendContentJson",
}

var vulExtendContentMember = slices.Index(vulRecordMembers, "ExtendContentJson")

// field returns the scalar field of member k (not ExtendContentJson).
func (r *VulRecord) field(k int) json.Unmarshaler {
	fields := [...]json.Unmarshaler{
		&r.Name, &r.AliasName, &r.Related, &r.Type, &r.Necessity, &r.Status, &r.CanFix, &r.CanUpdate, &r.PrimaryId,
		&r.Uuid, &r.Image, &r.ImageDigest, &r.RepoName, &r.RepoNamespace, &r.Tag, &r.RuleTag, &r.Layers,
		&r.FirstTs, &r.LastTs, &r.ModifyTs, &r.ScanTime, &r.ClusterId, &r.ClusterName, &r.ContainerId, &r.Namespace,
		&r.Pod, &r.TargetId, &r.TargetName, &r.TargetType, &r.MaliciousSource,
	}
	return fields[k]
}
