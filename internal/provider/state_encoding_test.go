package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// emptyState is the state a Read of ds starts from.
func emptyState(t testing.TB, ds datasource.DataSource) tfsdk.State {
	t.Helper()
	var resp datasource.SchemaResponse
	ds.Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	return tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(context.Background()), nil)}
}

// decodedImages decodes fake images as the client would.
func decodedImages(t testing.TB, images []fakesas.Image) []sasapi.ImageInstance {
	t.Helper()
	page, err := sasapi.DescribeImageInstances.Read(pageBody(t, images))
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// The encoder must write exactly what the framework's State.Set writes.
func TestSetState_writesWhatStateSetWrites(t *testing.T) {
	sparse := fakesas.Image{"Uuid": "u-sparse", "RepoName": "r", "Tag": "sparse"}
	never := fakesas.Image{"Uuid": "u-never", "ScaStatus": "INIT", "LastScanTime": 0, "Endpoints": "[]"}
	images := decodedImages(t, append(fakesas.GenerateImages(300, 5), fakesas.FullImage(), sparse, never))
	imagesModel := func(summaryOnly bool, images []sasapi.ImageInstance) any {
		m := &imageInstancesModel{SummaryOnly: types.BoolValue(summaryOnly), Criteria: []criterionModel{{Name: types.StringValue("tag"), Value: types.StringValue("1.0")}}}
		m.flatten(images, len(images)+7)
		return m
	}
	criteriaModel := func(value string, entries ...sasapi.CriteriaEntry) any {
		m := &imageCriteriaModel{Value: types.StringValue(value)}
		m.flatten(entries)
		return m
	}
	entry := func(name, typ, values string) sasapi.CriteriaEntry {
		return sasapi.CriteriaEntry{Name: sasapi.String{Value: name, Valid: true}, Type: sasapi.String{Value: typ, Valid: true}, Values: sasapi.String{Value: values, Valid: true}}
	}
	cases := []struct {
		name  string
		ds    datasource.DataSource
		model any
	}{
		{"images: every field, absent fields and never-scanned images", NewImageInstancesDataSource(), imagesModel(false, images)},
		{"images: summary_only", NewImageInstancesDataSource(), imagesModel(true, images)},
		{"images: none", NewImageInstancesDataSource(), imagesModel(false, nil)},
		{"criteria", NewImageCriteriaDataSource(), criteriaModel("", entry("vulStatus", "select", "YES, NO"), entry("tag", "input", ""), sasapi.CriteriaEntry{})},
		{"criteria: none", NewImageCriteriaDataSource(), criteriaModel("nothing")},
		{"vulnerabilities: with details", NewImageVulnerabilitiesDataSource(), vulnerabilitiesModel(t, true)},
		{"vulnerabilities: without details", NewImageVulnerabilitiesDataSource(), vulnerabilitiesModel(t, false)},
		{"vulnerabilities: none", NewImageVulnerabilitiesDataSource(), &imageVulnerabilitiesModel{
			Vulnerabilities: []vulnerabilityModel{}, Summary: summariseVulnerabilities(nil, false), Necessities: types.SetNull(types.StringType), Statuses: types.SetNull(types.StringType), ImageUUIDs: types.ListNull(types.StringType),
		}},
		{"vulnerabilities: rows sharing parts of one CVE slice", NewImageVulnerabilitiesDataSource(), sharedCVEsModel()},
		{"baselines: with items, unlisted and empty items", NewImageBaselinesDataSource(), baselinesModel(true)},
		{"baselines: without items", NewImageBaselinesDataSource(), baselinesModel(false)},
		{"baselines: none", NewImageBaselinesDataSource(), &imageBaselinesModel{Baselines: []baselineModel{}, Summary: baselineSummary.of(nil, nil), RiskLevels: types.SetNull(types.StringType)}},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, got := emptyState(t, tc.ds), emptyState(t, tc.ds)
			if diags := want.Set(ctx, tc.model); diags.HasError() {
				t.Fatalf("State.Set: %v", diags)
			}
			if diags := setState(ctx, &got, tc.model); diags.HasError() {
				t.Fatalf("setState: %v", diags)
			}
			if !want.Raw.Equal(got.Raw) {
				diffs, _ := want.Raw.Diff(got.Raw)
				t.Fatalf("setState differs from State.Set in %d places, first: %v", len(diffs), diffs[0])
			}
		})
	}
}

func TestSetState_aStructThatDoesNotMatchTheSchemaIsAnError(t *testing.T) {
	type missingField struct {
		ID    types.String `tfsdk:"id"`
		Value types.String `tfsdk:"value"`
	}
	type extraField struct {
		ID       types.String         `tfsdk:"id"`
		Value    types.String         `tfsdk:"value"`
		Criteria []criteriaEntryModel `tfsdk:"criteria"`
		Other    types.String         `tfsdk:"other"`
	}
	type wrongType struct {
		ID       types.Int64          `tfsdk:"id"`
		Value    types.String         `tfsdk:"value"`
		Criteria []criteriaEntryModel `tfsdk:"criteria"`
	}
	type pointerToWrongStruct struct {
		ID       types.String        `tfsdk:"id"`
		Value    types.String        `tfsdk:"value"`
		Criteria *criteriaEntryModel `tfsdk:"criteria"`
	}
	cases := map[string]any{
		"missing field":             &missingField{},
		"extra field":               &extraField{},
		"wrong type":                &wrongType{},
		"not a pointer":             imageCriteriaModel{},
		"pointer to the wrong kind": &pointerToWrongStruct{},
	}
	for name, model := range cases {
		t.Run(name, func(t *testing.T) {
			state := emptyState(t, NewImageCriteriaDataSource())
			diags := setState(context.Background(), &state, model)
			if !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "bug in the provider") {
				t.Fatalf("want an error reporting a provider bug, got %v", diags)
			}
		})
	}
}

// vulnerabilitiesModel reads every row of some fake images, with their
// details or not, plus a row of which the service sent nothing. With
// details, the dataset must hold the cases the encoder has to get right:
// a name whose details list no CVE (an empty cves) and a CVE without score.
func vulnerabilitiesModel(t *testing.T, withDetails bool) any {
	t.Helper()
	images := fakesas.GenerateImages(15, 4)
	fake := startFake(t, fakesas.Options{Images: images})
	uuids, diags := types.ListValueFrom(t.Context(), types.StringType, imageUUIDs(images))
	m := &imageVulnerabilitiesModel{ImageUUIDs: uuids, Necessities: types.SetNull(types.StringType), Statuses: types.SetNull(types.StringType), WithCVEDetails: types.BoolValue(withDetails)}
	if diags.Append(readImageVulnerabilities(t.Context(), perfClient(t, fake.Endpoint()), m)...); diags.HasError() {
		t.Fatal(diags)
	}
	m.Vulnerabilities = append(m.Vulnerabilities, flattenVulnerability(&sasapi.VulRecord{}, nil, withDetails))
	m.Summary = summariseVulnerabilities(m.Vulnerabilities, withDetails)
	var noCVE, noScore bool
	for _, v := range m.Vulnerabilities {
		noCVE = noCVE || (v.CVEs != nil && len(v.CVEs) == 0)
		for _, c := range v.CVEs {
			noScore = noScore || c.CVSSScore.IsNull()
		}
	}
	if withDetails && (!noCVE || !noScore) {
		t.Fatalf("the dataset lacks a name without CVE (%v) or a CVE without score (%v)", noCVE, noScore)
	}
	return m
}

// sharedCVEsModel has rows whose cves share one backing array with other
// lengths and offsets, and a row with an equal copy: the encoder shares an
// encoded list only for the same slice.
func sharedCVEsModel() any {
	cve := func(id string) vulCVEModel {
		return vulCVEModel{CVEID: types.StringValue(id), CVSSScore: types.Float64Null(), CVSSVector: types.StringNull(), Level: types.StringValue("low"),
			Title: types.StringNull(), Summary: types.StringNull(), Solution: types.StringNull(), PublishedAt: timetypes.NewRFC3339Null(), Reference: types.StringNull()}
	}
	cves := []vulCVEModel{cve("CVE-1"), cve("CVE-2")}
	m := &imageVulnerabilitiesModel{Necessities: types.SetNull(types.StringType), Statuses: types.SetNull(types.StringType), ImageUUIDs: types.ListNull(types.StringType)}
	for _, list := range [][]vulCVEModel{cves, cves[:1], cves[1:], cves, slices.Clone(cves), cves[:0], nil} {
		row := flattenVulnerability(&sasapi.VulRecord{}, nil, true)
		row.CVEs = list
		m.Vulnerabilities = append(m.Vulnerabilities, row)
	}
	m.Summary = summariseVulnerabilities(m.Vulnerabilities, true)
	return m
}

// baselinesModel has a baseline with every field, one with none, and,
// with items, one whose items were listed empty.
func baselinesModel(withItems bool) any {
	str := func(v string) sasapi.String { return sasapi.String{Value: v, Valid: true} }
	num := func(v int64) sasapi.Int { return sasapi.Int{Value: v, Valid: true} }
	results := []sasapi.BaselineResult{
		{
			BaselineNameKey: str("k1"), BaselineNameAlias: str("Weak password"), BaselineClassAlias: str("weak_password"), BaselineNameLevel: str("High"),
			BaselineItemCount: num(3), HighRiskItemCount: num(2), MiddleRiskItemCount: num(1), LowRiskItemCount: num(0), Status: num(1),
			FirstScanTime: num(1700000000000), LastScanTime: num(1700000500000),
		},
		{},
		{BaselineNameKey: str("k3"), Status: num(2), LastScanTime: num(0)},
	}
	var items map[string][]sasapi.BaselineItem
	if withItems {
		items = map[string][]sasapi.BaselineItem{
			"k1": {
				{BaselineItemKey: str("i1"), BaselineItemAlias: str("root password"), BaselineClassKey: str("weak_password"), BaselineClassAlias: str("Weak password"), Status: num(1), WhiteList: num(1)},
				{Status: num(9)},
			},
			"k3": {},
		}
	}
	m := &imageBaselinesModel{ID: types.StringValue("id"), ImageUUID: types.StringValue("u"), RiskLevels: types.SetNull(types.StringType), WithItems: types.BoolValue(withItems)}
	m.Baselines = flattenBaselines(results, items)
	m.Summary = baselineSummary.of(m.Baselines, nil)
	return m
}

// A pointer to a struct encodes as its object, or null when nil; a pointer
// to anything else is not a nested object.
func TestEncodeModel_pointerToAStructIsAnObjectOrNull(t *testing.T) {
	type inner struct {
		A types.String `tfsdk:"a"`
	}
	type outer struct {
		Inner *inner `tfsdk:"inner"`
	}
	innerType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.String}}
	outerType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"inner": innerType}}
	ctx := context.Background()

	got, err := encodeModel(ctx, outerType, &outer{Inner: &inner{A: types.StringValue("x")}})
	want := tftypes.NewValue(outerType, map[string]tftypes.Value{
		"inner": tftypes.NewValue(innerType, map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.String, "x")}),
	})
	if err != nil || !got.Equal(want) {
		t.Errorf("set pointer: %v, %v; want %v", got, err, want)
	}
	got, err = encodeModel(ctx, outerType, &outer{})
	want = tftypes.NewValue(outerType, map[string]tftypes.Value{"inner": tftypes.NewValue(innerType, nil)})
	if err != nil || !got.Equal(want) {
		t.Errorf("nil pointer: %v, %v; want %v", got, err, want)
	}
	type pointerToString struct {
		Inner *string `tfsdk:"inner"`
	}
	if _, err := encodeModel(ctx, outerType, &pointerToString{}); err == nil {
		t.Error("a *string encoded as an object")
	}
}
