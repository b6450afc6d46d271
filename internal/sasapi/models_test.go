package sasapi

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// pageBody renders images as the service would answer for one page.
func pageBody(t testing.TB, images []fakesas.Image, total int) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"RequestId":         "BE120DAB-F4E7-4C53-ADC3-A97578ABF384",
		"PageInfo":          map[string]any{"CurrentPage": 1, "PageSize": len(images), "TotalCount": total, "Count": len(images)},
		"ImageInstanceList": images,
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// fieldByWireName returns the ImageInstance field tagged with a wire name.
func fieldByWireName(img *ImageInstance, name string) (reflect.Value, bool) {
	v := reflect.ValueOf(img).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("json") == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// checkDecodedAs compares a decoded field with its wire value: strings and
// numbers by their decimal text, 0/1 as booleans, Endpoints as the JSON it
// was serialised into.
func checkDecodedAs(t *testing.T, img *ImageInstance, name string, wire any) {
	t.Helper()
	field, ok := fieldByWireName(img, name)
	if !ok {
		t.Errorf("no ImageInstance field for wire field %s", name)
		return
	}
	wireText := fmt.Sprint(wire)
	switch v := field.Interface().(type) {
	case String:
		if !v.Valid || v.Value != wireText {
			t.Errorf("%s = %+v, want %q", name, v, wireText)
		}
	case Int:
		if !v.Valid || strconv.FormatInt(v.Value, 10) != wireText {
			t.Errorf("%s = %+v, want %s", name, v, wireText)
		}
	case Bool:
		if !v.Valid || v.Value != (wireText == "1") {
			t.Errorf("%s = %+v, want %s", name, v, wireText)
		}
	case StringList:
		got, _ := json.Marshal(v.Values)
		if !v.Valid || string(got) != wireText {
			t.Errorf("%s = %+v, want %s", name, v, wireText)
		}
	default:
		t.Errorf("%s has unexpected type %T", name, v)
	}
}

// Every documented field is decoded from its own wire field: FullImage gives
// each a distinct value, so a field mapped from the wrong key shows.
func TestDecodePageMapsEveryDocumentedField(t *testing.T) {
	full := fakesas.FullImage()
	page, err := DescribeImageInstances.Read(pageBody(t, []fakesas.Image{full}, 1))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("got %d images", len(page.Items))
	}
	img := &page.Items[0]
	fields := fakesas.DocumentedFields()
	for _, name := range fields {
		checkDecodedAs(t, img, name, full[name])
	}
	if n := reflect.TypeOf(ImageInstance{}).NumField(); n != len(fields) {
		t.Errorf("ImageInstance has %d fields, the documentation %d", n, len(fields))
	}
}

// Generated images carry the wire quirks (sizes and times as strings,
// optional fields absent): every present field decodes to its wire value,
// every absent one to an absent value.
func TestDecodePageOfGeneratedImages(t *testing.T) {
	images := fakesas.GenerateImages(300, 17)
	page, err := DescribeImageInstances.Read(pageBody(t, images, 1234))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if page.TotalCount != (Int{1234, true}) || len(page.Items) != len(images) {
		t.Fatalf("TotalCount %+v, %d images; want 1234 and %d", page.TotalCount, len(page.Items), len(images))
	}
	for i := range images {
		img := &page.Items[i]
		for _, name := range fakesas.DocumentedFields() {
			wire, present := images[i][name]
			if present {
				checkDecodedAs(t, img, name, wire)
				continue
			}
			field, _ := fieldByWireName(img, name)
			if field.FieldByName("Valid").Bool() {
				t.Errorf("image %d: absent %s decoded as present: %+v", i, name, field.Interface())
			}
		}
	}
}

func TestDecodeReferenceExample(t *testing.T) {
	body, err := os.ReadFile("testdata/describe-image-instances-example.json")
	if err != nil {
		t.Fatal(err)
	}
	page, err := DescribeImageInstances.Read(body)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if page.RequestID != "BE120DAB-F4E7-4C53-ADC3-A97578ABF384" || page.TotalCount != (Int{69, true}) || len(page.Items) != 1 {
		t.Fatalf("decoded %+v", page)
	}
	img := page.Items[0]
	want := ImageInstance{
		Uuid: String{"12f80307-60aa-4efa-863a-56d72fb****", true}, Tag: String{"mysql_5.7", true},
		ImageUpdate: Int{1600069948849, true}, ImageSize: Int{1604487690, true}, LastScanTime: Int{1721363159000, true},
		ScaProgress: Int{100, true}, Deployed: Bool{true, true}, Endpoints: StringList{[]string{}, true},
		SourceBizTag: String{"PAI", true}, RepoNamespace: String{"N/A", true},
	}
	for _, name := range []string{"Uuid", "Tag", "ImageUpdate", "ImageSize", "LastScanTime", "ScaProgress", "Deployed", "Endpoints", "SourceBizTag", "RepoNamespace"} {
		got, _ := fieldByWireName(&img, name)
		exp, _ := fieldByWireName(&want, name)
		if !reflect.DeepEqual(got.Interface(), exp.Interface()) {
			t.Errorf("%s = %+v, want %+v", name, got.Interface(), exp.Interface())
		}
	}
}

func TestDecodeAbsentFieldsAreUnknownNotZero(t *testing.T) {
	for _, record := range []string{`{}`, `{"Uuid":null,"VulCount":null,"Deployed":null,"Endpoints":null,"ImageSize":""}`} {
		page, err := DescribeImageInstances.Read([]byte(`{"PageInfo":{"TotalCount":"1"},"ImageInstanceList":[` + record + `]}`))
		if err != nil {
			t.Fatalf("%s: %v", record, err)
		}
		img := &page.Items[0]
		for _, name := range fakesas.DocumentedFields() {
			field, _ := fieldByWireName(img, name)
			if field.FieldByName("Valid").Bool() {
				t.Errorf("%s: %s decoded as present: %+v", record, name, field.Interface())
			}
		}
	}
}

func TestDecodePageKeepsNegativeCounts(t *testing.T) {
	page, err := DescribeImageInstances.Read([]byte(`{"PageInfo":{"TotalCount":3,"Count":-1},"ImageInstanceList":[{"VulCount":-2,"HcCount":"-5"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	img := page.Items[0]
	if img.VulCount != (Int{-2, true}) || img.HcCount != (Int{-5, true}) {
		t.Errorf("negative values not kept: %+v %+v", img.VulCount, img.HcCount)
	}
}

func TestDecodeImageCriteria(t *testing.T) {
	page, err := DescribeImageCriteria.Read([]byte(`{"RequestId":"R","CriteriaList":[{"Name":"vulStatus","Type":"select","Values":"NO,YES"},{"Name":"instanceId","Type":"input","Values":""},{"Name":"n","Type":"input","Values":5}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []CriteriaEntry{
		{Name: String{"vulStatus", true}, Type: String{"select", true}, Values: String{"NO,YES", true}},
		{Name: String{"instanceId", true}, Type: String{"input", true}, Values: String{"", true}},
		{Name: String{"n", true}, Type: String{"input", true}, Values: String{"5", true}},
	}
	if page.RequestID != "R" || !reflect.DeepEqual(page.Items, want) {
		t.Errorf("decoded %+v", page)
	}
	for _, bad := range []string{``, `{"CriteriaList":{}}`, `{"CriteriaList":[{"Name":{}}]}`, `[`} {
		if _, err := DescribeImageCriteria.Read([]byte(bad)); err == nil {
			t.Errorf("Read(%q) succeeded", bad)
		}
	}
}

func TestEncodeCriteria(t *testing.T) {
	cases := []struct {
		name     string
		criteria []Criterion
		exp      string
		want     string
	}{
		{name: "none", want: `[]`},
		{name: "default operator is AND", criteria: []Criterion{{"instanceId", "390100182"}},
			want: `[{"name":"instanceId","value":"390100182","logicalExp":"AND"}]`},
		{name: "OR on every element", criteria: []Criterion{{"vulStatus", "YES"}, {"alarmStatus", "YES"}}, exp: LogicalOr,
			want: `[{"name":"vulStatus","value":"YES","logicalExp":"OR"},{"name":"alarmStatus","value":"YES","logicalExp":"OR"}]`},
		{name: "HTML characters are not escaped", criteria: []Criterion{{"tag", "<a&b>"}},
			want: `[{"name":"tag","value":"<a&b>","logicalExp":"AND"}]`},
		{name: "quotes and unicode", criteria: []Criterion{{"repoName", "say \"héllo\"\n"}},
			want: `[{"name":"repoName","value":"say \"héllo\"\n","logicalExp":"AND"}]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EncodeCriteria(tc.criteria, tc.exp)
			if err != nil || got != tc.want {
				t.Errorf("EncodeCriteria = %s, %v; want %s", got, err, tc.want)
			}
			if strings.HasSuffix(got, "\n") {
				t.Error("trailing newline")
			}
		})
	}
}
