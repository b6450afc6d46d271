package sasapi

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// takenSeeds are bodies the hand-written decoder decodes itself, covering
// what encoding/json does and it must match: names in another case, nulls,
// escapes, numbers as strings, JSON in a string, junk to skip.
var takenSeeds = []string{
	`{"RequestId":"R","PageInfo":{"TotalCount":"2"},"ImageInstanceList":[{"Uuid":"a","VulCount":"3","Endpoints":"[\"x\",\"y\"]"},null]}`,
	`{"PageInfo":{"TotalCount":1},"requestID":"r","ImageInstanceList":[{"uuid":"a","TAG":"b","repoNAME":"d","ſcaStatus":"K"}]}`,
	`{"PageInfo":null,"PageInfo":{"TotalCount":0},"ImageInstanceList":null}`,
	`{"PageInfo":{"TotalCount":0},"ImageInstanceList":[]}`,
	` {"PageInfo" : {"TotalCount" : 3 } , "Extra":{"a":[1,2,{"b":null}],"c":"\u00e9\"\\"}, "ImageInstanceList" : [ { "U\u0075id" : "\u00e9" , "Deployed":"1", "ImageSize": 12.0, "Tag": 7 } ] } `,
	`{"PageInfo":{"TotalCount":1e2},"ImageInstanceList":[{"Endpoints":"","ImageCreate":"","Deployed":null,"LastScanTime":"-0"}]}`,
	"{\"PageInfo\":{\"TotalCount\":1},\"ImageInstanceList\":[{\"Tag\":\"\xff\xfe\",\"RepoName\":\"a\\ud800b\"}]}",
	`{"PageInfo":{"TotalCount":1},"ImageInstanceList":[{"Endpoints":["a","b"]},{"Endpoints":"[ \"a\" , \"\\u00e9\" ]"}]}`,
	`{"PageInfo":{"TotalCount":9223372036854775807},"ImageInstanceList":[{"VulCount":"+7","HcCount":"007","ImageSize":-0}]}`,
	`{"PageInfo":{"TotalCount":1,"TotalCount":2},"ImageInstanceList":[{"Uuid":""}],"RequestId":"a","RequestId":null}`,
}

// declinedSeeds are bodies the hand-written decoder leaves to
// encoding/json: repeated members, wrong types, broken JSON.
var declinedSeeds = []string{
	`{"PageInfo":{"TotalCount":1},"ImageInstanceList":[{"Uuid":"a","Tag":"1"}],"ImageInstanceList":[{"Uuid":"b"}]}`,
	`{"PageInfo":{"TotalCount":1},"ImageInstanceList":[{"uuid":"a","Uuid":"b"}]}`,
	`{"PageInfo":{"TotalCount":1},"ImageInstanceList":[{"Uuid":"a","Uuid":"\u0062"}]}`,
	`{"PageInfo":{"TotalCount":9223372036854775807},"ImageInstanceList":[{"VulCount":"9223372036854775808"}]}`,
	`{"PageInfo":{"TotalCount":1},"ImageInstanceList":[{"Uuid":{"a":1}}]}`,
	`{"PageInfo":{"TotalCount":1}} x`,
	`{"PageInfo":{"TotalCount":1},"ImageInstanceList":[{"Uuid":"a"`,
	`[]`, `null`, ``,
}

// FuzzImageInstancesDecodersAgree holds the hand-written decoder to
// encoding/json: whatever the body, when it decodes one, encoding/json
// decodes the same (when it declines, encoding/json's answer is used).
func FuzzImageInstancesDecodersAgree(f *testing.F) {
	for _, s := range append(takenSeeds, declinedSeeds...) {
		f.Add([]byte(s))
	}
	if example, err := os.ReadFile("testdata/describe-image-instances-example.json"); err == nil {
		f.Add(example)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, err := decodeImageInstancesPageFast(body)
		if err != nil {
			return
		}
		ref, refErr := decodeImageInstancesPageReflect(body)
		if refErr != nil {
			t.Fatalf("the hand-written decoder accepted a body encoding/json rejects (%v):\n%s", refErr, body)
		}
		if !reflect.DeepEqual(fast, ref) {
			t.Fatalf("decoders disagree on\n%s\nhand-written: %+v\nencoding/json: %+v", body, fast, ref)
		}
	})
}

// The hand-written decoder takes the seeds meant for it, so the fuzz target
// compares something, and leaves the others to encoding/json.
func TestHandWrittenDecoderTakesTheUsualForms(t *testing.T) {
	for _, seed := range takenSeeds {
		if _, err := decodeImageInstancesPageFast([]byte(seed)); err != nil {
			t.Errorf("the hand-written decoder declined %s", seed)
		}
	}
	for _, seed := range declinedSeeds {
		if _, err := decodeImageInstancesPageFast([]byte(seed)); err == nil {
			t.Errorf("the hand-written decoder took %s", seed)
		}
	}
	body := pageBody(t, fakesas.GenerateImages(100, 3), 100)
	if _, err := decodeImageInstancesPageFast(body); err != nil {
		t.Errorf("the hand-written decoder declined a generated page: %v", err)
	}
}

// imageInstanceMembers is ImageInstance's JSON names, in order.
func TestImageInstanceMembersMatchTheStruct(t *testing.T) {
	typ := reflect.TypeFor[ImageInstance]()
	var tags []string
	for i := range typ.NumField() {
		tags = append(tags, typ.Field(i).Tag.Get("json"))
	}
	if !reflect.DeepEqual(tags, imageInstanceMembers) {
		t.Fatalf("imageInstanceMembers = %q, want the json tags %q", imageInstanceMembers, tags)
	}
	strings := 0
	for i := range typ.NumField() {
		if typ.Field(i).Type == reflect.TypeFor[String]() {
			strings++
		}
	}
	if strings != stringFields {
		t.Errorf("ImageInstance has %d String fields, stringFields says %d", strings, stringFields)
	}
	var img ImageInstance
	v := reflect.ValueOf(&img).Elem()
	for i, name := range imageInstanceMembers {
		field, k := img.field([]byte(name))
		if field == nil || k != i || reflect.ValueOf(field).Pointer() != v.Field(i).Addr().Pointer() {
			t.Errorf("field(%q) is not the %s field", name, typ.Field(i).Name)
		}
	}
}

// FuzzImageInstancesRoundTrip encodes a random typed page in the forms the
// service is loose about (numbers as strings, 0/1 booleans, JSON in a
// string, nulls, missing and unknown members, any order) and checks it
// decodes to the same page.
func FuzzImageInstancesRoundTrip(f *testing.F) {
	f.Add(uint64(1), "web-frontend", uint8(3))
	f.Add(uint64(2), "é\"\\\x00</script>\xff", uint8(7))
	f.Add(uint64(3), "", uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, text string, n uint8) {
		g := &wireGen{rng: rand.New(rand.NewPCG(seed, 0x5eed)), text: text}
		want := g.page(int(n % 12))
		body := g.encodePage(want)
		checkImagesRoundTrip(t, body, want)
	})
}

// wireGen draws typed values and writes them the way a loose service may.
type wireGen struct {
	rng  *rand.Rand
	text string
}

func (g *wireGen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *wireGen) str() string {
	options := []string{"", "nginx", "1.4.3", "prod/payments-api", "日本語", "a\"b\\c", "\t\n", "\u2028", "-12", "3.5e2", "true"}
	if g.text != "" && g.chance(0.5) {
		i, j := g.rng.IntN(len(g.text)+1), g.rng.IntN(len(g.text)+1)
		return g.text[min(i, j):max(i, j)]
	}
	return options[g.rng.IntN(len(options))]
}

func (g *wireGen) page(n int) *DescribeImageInstancesResponse {
	p := &DescribeImageInstancesResponse{
		RequestID:         replaceInvalidUTF8(g.str()),
		PageInfo:          &PageInfo{TotalCount: Int{Value: g.rng.Int64N(1 << 40), Valid: true}},
		ImageInstanceList: make([]ImageInstance, n),
	}
	for _, f := range []*Int{&p.PageInfo.CurrentPage, &p.PageInfo.PageSize, &p.PageInfo.Count} {
		*f = g.int()
	}
	for k := range p.ImageInstanceList {
		v := reflect.ValueOf(&p.ImageInstanceList[k]).Elem()
		for i := range v.NumField() {
			switch field := v.Field(i).Addr().Interface().(type) {
			case *String:
				if g.chance(0.8) {
					*field = String{Value: replaceInvalidUTF8(g.str()), Valid: true}
				}
			case *Int:
				*field = g.int()
			case *Bool:
				if g.chance(0.8) {
					*field = Bool{Value: g.chance(0.5), Valid: true}
				}
			case *StringList:
				if g.chance(0.8) {
					values := []string{}
					for range g.rng.IntN(4) {
						values = append(values, replaceInvalidUTF8(g.str()))
					}
					*field = StringList{Values: values, Valid: true}
				}
			}
		}
	}
	return p
}

func (g *wireGen) int() Int {
	if g.chance(0.2) {
		return Int{}
	}
	edges := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 53, 1721363159000}
	if g.chance(0.3) {
		return Int{Value: edges[g.rng.IntN(len(edges))], Valid: true}
	}
	return Int{Value: g.rng.Int64N(1<<62) - 1<<61, Valid: true}
}

func (g *wireGen) encodePage(p *DescribeImageInstancesResponse) []byte {
	var b strings.Builder
	members := []string{
		`"RequestId":` + quoteJSON(p.RequestID),
		`"PageInfo":` + g.encodeObject(reflect.ValueOf(p.PageInfo).Elem()),
	}
	var list []string
	for k := range p.ImageInstanceList {
		list = append(list, g.encodeObject(reflect.ValueOf(&p.ImageInstanceList[k]).Elem()))
	}
	members = append(members, `"ImageInstanceList":[`+strings.Join(list, ","+g.space())+`]`)
	g.shuffle(members)
	b.WriteString("{" + g.space() + strings.Join(members, ","+g.space()) + g.space() + "}")
	return []byte(b.String())
}

// encodeObject writes a record: each present field in one of its forms,
// each absent one missing or null, plus an unknown member now and then.
func (g *wireGen) encodeObject(v reflect.Value) string {
	var members []string
	for i := range v.NumField() {
		name := v.Type().Field(i).Tag.Get("json")
		value, ok := g.encodeScalar(v.Field(i).Interface())
		switch {
		case ok:
			members = append(members, quoteJSON(name)+":"+g.space()+value)
		case g.chance(0.3):
			members = append(members, quoteJSON(name)+":null")
		}
	}
	if g.chance(0.2) {
		members = append(members, `"SomethingNew":{"a":[1,"b",null,true,{"c":-1.5e3}]}`)
	}
	g.shuffle(members)
	return "{" + strings.Join(members, ","+g.space()) + "}"
}

func (g *wireGen) encodeScalar(v any) (string, bool) {
	switch v := v.(type) {
	case String:
		if !v.Valid {
			return "", false
		}
		if isJSONNumber(v.Value) && g.chance(0.5) || (v.Value == "true" && g.chance(0.5)) {
			return v.Value, true // the service sends some strings as bare numbers
		}
		return quoteJSON(v.Value), true
	case Int:
		if !v.Valid {
			if g.chance(0.3) {
				return `""`, true
			}
			return "", false
		}
		text := strconv.FormatInt(v.Value, 10)
		if v.Value > -1<<53 && v.Value < 1<<53 && g.chance(0.2) {
			text += ".0"
		}
		if g.chance(0.5) {
			return quoteJSON(text), true
		}
		return text, true
	case Bool:
		if !v.Valid {
			return "", false
		}
		forms := map[bool][]string{true: {"1", "true", `"1"`, `"true"`, `"TRUE"`}, false: {"0", "false", `"0"`, `"false"`, `"False"`}}[v.Value]
		return forms[g.rng.IntN(len(forms))], true
	case StringList:
		if !v.Valid {
			return "", false
		}
		array, err := json.Marshal(v.Values)
		if err != nil {
			panic(err)
		}
		if len(v.Values) == 0 && g.chance(0.3) {
			return `""`, true
		}
		if g.chance(0.5) {
			return string(array), true
		}
		return quoteJSON(string(array)), true // JSON in a string, as Endpoints
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

func (g *wireGen) space() string {
	return []string{"", "", " ", "\n  "}[g.rng.IntN(4)]
}

func (g *wireGen) shuffle(s []string) {
	g.rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
}

func quoteJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func isJSONNumber(s string) bool {
	return s != "" && strings.TrimSpace(s) == s && json.Valid([]byte(s)) && (s[0] == '-' || s[0] >= '0' && s[0] <= '9')
}
