package sasapi

import (
	"bytes"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// decodeImageInstancesPageJSONText is the route over the jsontext
// tokenizer, kept to measure it beside the others (BenchmarkDecodePage):
// the same members and scalar decoding as the scanner route, the tokenizer
// doing the scanning.
func decodeImageInstancesPageJSONText(body []byte) (*DescribeImageInstancesResponse, error) {
	texts := &pageDecoder{jsonScanner: jsonScanner{data: body}}
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	resp := &DescribeImageInstancesResponse{}
	err := jsontextObject(dec, func(name string) error {
		switch matchName([]byte(name), pageMembers) {
		case "RequestId":
			raw, err := dec.ReadValue()
			if err != nil {
				return err
			}
			if raw[0] == 'n' {
				return nil
			}
			return jsontextPlainString(raw, &resp.RequestID)
		case "PageInfo":
			if resp.PageInfo == nil {
				resp.PageInfo = &PageInfo{}
			}
			p := resp.PageInfo
			return jsontextObject(dec, func(name string) error {
				raw, err := dec.ReadValue()
				if err != nil {
					return err
				}
				switch matchName([]byte(name), pageInfoMembers) {
				case "CurrentPage":
					return p.CurrentPage.UnmarshalJSON(raw)
				case "PageSize":
					return p.PageSize.UnmarshalJSON(raw)
				case "TotalCount":
					return p.TotalCount.UnmarshalJSON(raw)
				case "Count":
					return p.Count.UnmarshalJSON(raw)
				}
				return nil
			})
		case "ImageInstanceList":
			return jsontextImages(dec, &resp.ImageInstanceList, texts)
		}
		return dec.SkipValue()
	})
	if err != nil {
		return nil, errNotFastPath
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return nil, errNotFastPath
	}
	texts.finish()
	return resp, nil
}

func jsontextObject(dec *jsontext.Decoder, member func(name string) error) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return errNotFastPath
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := member(name.String()); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

func jsontextImages(dec *jsontext.Decoder, dst *[]ImageInstance, texts *pageDecoder) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return errNotFastPath
	}
	list := make([]ImageInstance, 0, imageCapacity(texts.data))
	for dec.PeekKind() != ']' {
		if len(list) == cap(list) {
			return errNotFastPath
		}
		list = append(list, ImageInstance{})
		img := &list[len(list)-1]
		err := jsontextObject(dec, func(name string) error {
			field, _ := img.field([]byte(name))
			raw, err := dec.ReadValue()
			if err != nil || field == nil {
				return err
			}
			return texts.setScalar(field, raw, int(dec.InputOffset())-len(raw))
		})
		if err != nil {
			return err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	*dst = list
	return nil
}

func jsontextPlainString(raw []byte, dst *string) error {
	v, err := unquote(raw)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}
