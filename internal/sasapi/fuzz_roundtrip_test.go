package sasapi

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// FuzzImageInstancesPageRoundTrip proves values, not just "no panic": a
// random typed page is written in the wire forms the service uses (numbers
// as numbers or strings, flags as 0/1 or booleans, Endpoints as an array
// inside a string, absent fields missing or null), decoded, and must come
// back equal. Text comes from the fuzzer, the rest from a PRNG it seeds.
func FuzzImageInstancesPageRoundTrip(f *testing.F) {
	f.Add(uint64(1), uint8(3), "payments-api")
	f.Add(uint64(2), uint8(0), "")
	f.Add(uint64(3), uint8(12), "日本語 \"quoted\" \\ back/slash, <html> & \x00 \xff")
	f.Add(uint64(4), uint8(100), "1,2,3")
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, text string) {
		rng := rand.New(rand.NewPCG(seed, uint64(n)))
		want := DescribeImageInstancesResponse{
			RequestID: replaceInvalidUTF8(text),
			PageInfo: &PageInfo{
				CurrentPage: randomInt(rng, true), PageSize: randomInt(rng, false), Count: randomInt(rng, false),
				TotalCount: Int{Value: rng.Int64N(math.MaxInt64), Valid: true},
			},
			ImageInstanceList: make([]ImageInstance, n),
		}
		for i := range want.ImageInstanceList {
			randomRecord(rng, text, reflect.ValueOf(&want.ImageInstanceList[i]).Elem())
		}
		body := encodePage(t, rng, &want)

		checkImagesRoundTrip(t, body, &want)
	})
}

// checkImagesRoundTrip asserts that body reads back as want: as a page by
// the route every call takes (DescribeImageInstances.Read), and whole, with
// every PageInfo member, by the reference decoder.
func checkImagesRoundTrip(t *testing.T, body []byte, want *DescribeImageInstancesResponse) {
	t.Helper()
	got, err := DescribeImageInstances.Read(body)
	if err != nil {
		t.Fatalf("reading %s: %v", body, err)
	}
	wantPage, _ := want.page()
	if !reflect.DeepEqual(got, wantPage) {
		for i := range wantPage.Items {
			if i < len(got.Items) && !reflect.DeepEqual(got.Items[i], wantPage.Items[i]) {
				t.Fatalf("image %d:\n got %+v\nwant %+v\nfrom %s", i, got.Items[i], wantPage.Items[i], body)
			}
		}
		t.Fatalf("got %+v\nwant %+v\nfrom %s", got, wantPage, body)
	}
	ref, err := decodeImageInstancesPageReflect(body)
	if err != nil {
		t.Fatalf("the reference decoder failed on %s: %v", body, err)
	}
	if !reflect.DeepEqual(ref, want) {
		t.Fatalf("the reference decoder read %+v\nwant %+v\nfrom %s", ref, want, body)
	}
}

// randomRecord fills every scalar field of a record: absent, or a value
// built from text or the PRNG.
func randomRecord(rng *rand.Rand, text string, record reflect.Value) {
	for i := range record.NumField() {
		switch field := record.Field(i).Addr().Interface().(type) {
		case *String:
			if rng.IntN(5) > 0 {
				*field = String{Value: replaceInvalidUTF8(randomText(rng, text)), Valid: true}
			}
		case *Int:
			*field = randomInt(rng, rng.IntN(5) == 0)
		case *Bool:
			if rng.IntN(5) > 0 {
				*field = Bool{Value: rng.IntN(2) == 1, Valid: true}
			}
		case *StringList:
			if rng.IntN(5) > 0 {
				values := make([]string, rng.IntN(4))
				for k := range values {
					values[k] = replaceInvalidUTF8(randomText(rng, text))
				}
				*field = StringList{Values: values, Valid: true}
			}
		default:
			panic(fmt.Sprintf("randomRecord: field %s has type %T", record.Type().Field(i).Name, field))
		}
	}
}

func randomInt(rng *rand.Rand, absent bool) Int {
	if absent {
		return Int{}
	}
	switch rng.IntN(4) {
	case 0:
		return Int{Value: 0, Valid: true}
	case 1:
		return Int{Value: rng.Int64N(1000), Valid: true}
	case 2:
		return Int{Value: -rng.Int64N(1 << 40), Valid: true}
	}
	return Int{Value: int64(rng.Uint64()), Valid: true}
}

// randomText is a piece of text, possibly empty, possibly all of it.
func randomText(rng *rand.Rand, text string) string {
	if text == "" || rng.IntN(4) == 0 {
		return text
	}
	from := rng.IntN(len(text))
	return text[from : from+rng.IntN(len(text)-from+1)]
}

// encodePage writes a page as the service could have sent it.
func encodePage(t *testing.T, rng *rand.Rand, page *DescribeImageInstancesResponse) []byte {
	t.Helper()
	info := map[string]json.RawMessage{}
	addScalars(t, rng, info, reflect.ValueOf(page.PageInfo).Elem())
	list := make([]map[string]json.RawMessage, len(page.ImageInstanceList))
	for i := range page.ImageInstanceList {
		list[i] = map[string]json.RawMessage{}
		addScalars(t, rng, list[i], reflect.ValueOf(&page.ImageInstanceList[i]).Elem())
	}
	body, err := json.Marshal(map[string]any{"RequestId": page.RequestID, "PageInfo": info, "ImageInstanceList": list})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// addScalars adds each field of record under its JSON name, in one of its
// wire forms; an absent field is left out, or null, or for numbers and
// flags an empty string.
func addScalars(t *testing.T, rng *rand.Rand, out map[string]json.RawMessage, record reflect.Value) {
	for i := range record.NumField() {
		name := record.Type().Field(i).Tag.Get("json")
		var wire any
		switch v := record.Field(i).Interface().(type) {
		case String:
			wire = stringForm(rng, v)
		case Int:
			wire = intForm(rng, v)
		case Bool:
			wire = boolForm(rng, v)
		case StringList:
			wire = listForm(t, rng, v)
		}
		if wire == absentField {
			continue
		}
		raw, err := json.Marshal(wire)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = raw
	}
}

// absentField marks a field to leave out of the record.
var absentField = &struct{}{}

func absentForm(rng *rand.Rand, emptyString bool) any {
	switch rng.IntN(3) {
	case 0:
		return nil // null
	case 1:
		if emptyString {
			return ""
		}
	}
	return absentField
}

func stringForm(rng *rand.Rand, s String) any {
	if !s.Valid {
		return absentForm(rng, false)
	}
	return s.Value
}

func intForm(rng *rand.Rand, n Int) any {
	if !n.Valid {
		return absentForm(rng, true)
	}
	switch rng.IntN(3) {
	case 0:
		return json.Number(strconv.FormatInt(n.Value, 10))
	case 1:
		if n.Value > -1<<53 && n.Value < 1<<53 {
			return strconv.FormatInt(n.Value, 10) + ".0" // as some gateways write integers
		}
	}
	return strconv.FormatInt(n.Value, 10)
}

func boolForm(rng *rand.Rand, b Bool) any {
	if !b.Valid {
		return absentForm(rng, true)
	}
	forms := [][2]any{{json.Number("0"), json.Number("1")}, {false, true}, {"0", "1"}, {"false", "true"}}
	form := forms[rng.IntN(len(forms))]
	if b.Value {
		return form[1]
	}
	return form[0]
}

func listForm(t *testing.T, rng *rand.Rand, l StringList) any {
	if !l.Valid {
		return absentForm(rng, false)
	}
	if len(l.Values) == 0 && rng.IntN(3) == 0 {
		return "" // an empty string is an empty list
	}
	inner, err := json.Marshal(l.Values)
	if err != nil {
		t.Fatal(err)
	}
	if rng.IntN(2) == 0 {
		return json.RawMessage(inner)
	}
	return string(inner) // a JSON array inside a string, as Endpoints comes
}
