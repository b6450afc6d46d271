package provider

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

const sensitiveAddr = "data.sas_image_sensitive_files.test"

// secretsImageUUID is an image given secrets of every level, handled and
// not, one type of more than a page of files (secretsImageSpec).
const secretsImageUUID = "u-secrets"

// secretsImageSpec gives five types: the fifth row of the list is one the
// fake sends without Advice, the second and fifth have Status and Count as
// strings, the third UnprocessedNum.
func secretsImageSpec() []fakesas.SensitiveFileSpec {
	return []fakesas.SensitiveFileSpec{
		{Key: fakesas.SensitiveKeyAWSAccessKey, Files: 150},
		{Key: "rsa_private_key", Files: 2, Handled: true},
		{Key: fakesas.SensitiveKeySSHPrivateKey, Files: 3},
		{Key: fakesas.SensitiveKeyGitConfig, Files: 1, Handled: true},
		{Key: "netrc_cfg", Files: 1},
	}
}

// startSecretsFake serves the demo images and the secrets image, whose
// types are secretsImageSpec.
func startSecretsFake(t *testing.T, opts fakesas.Options) (*fakesas.Server, []fakesas.SensitiveFileType) {
	t.Helper()
	digest := sha256Hex(secretsImageUUID)
	opts.Images = append(opts.Images, img(secretsImageUUID, "payments-api", "9.0.0", fakesas.Image{"Digest": digest}))
	opts.SensitiveFiles = map[string][]fakesas.SensitiveFileSpec{digest: secretsImageSpec()}
	fake := startFake(t, opts)
	types := fake.SensitiveFileTypes(secretsImageUUID)
	levels := map[string]bool{}
	for _, ty := range types {
		levels[ty.Level] = true
	}
	if len(types) != len(secretsImageSpec()) || len(levels) != 3 {
		t.Fatalf("the fake serves %d types of %d levels for the secrets image, want %d of 3", len(types), len(levels), len(secretsImageSpec()))
	}
	return fake, types
}

func sensitiveConfig(fake *fakesas.Server, args string) string {
	return providerConfig(fake) + "data \"sas_image_sensitive_files\" \"test\" {\n" + args + "\n}\n"
}

// The documented words of each status code, written out independently of
// the provider's table.
var wantSensitiveStatus = map[int]string{0: "unhandled", 1: "handled"}

// nullOr is a check that a value is null (the service left the field out)
// or passes check; seen counts the nulls, so a test can require the case
// happened.
type nullOr struct {
	check knownvalue.Check
	seen  *int
}

func (c nullOr) CheckValue(v any) error {
	if v == nil {
		*c.seen++
		return nil
	}
	return c.check.CheckValue(v)
}

func (c nullOr) String() string { return "null or " + c.check.String() }

// expectSecretFiles is the exact value of a type's files.
func expectSecretFiles(ty fakesas.SensitiveFileType) knownvalue.Check {
	files := []knownvalue.Check{}
	for _, f := range ty.Files {
		files = append(files, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"path":         knownvalue.StringExact(f.FilePath),
			"layer_digest": knownvalue.StringExact(f.LayerDigest),
			"md5":          knownvalue.StringExact(f.Md5),
			"risk_level":   knownvalue.StringExact(ty.Level),
			"excerpt":      knownvalue.StringExact(f.Promt),
		}))
	}
	return knownvalue.ListExact(files)
}

// expectSensitiveFiles is the value of `sensitive_files` for the fake's
// types, names in lang, files or null files; advice may be null where the
// service left it out (counted in noAdvice).
func expectSensitiveFiles(types []fakesas.SensitiveFileType, lang string, withFiles bool, noAdvice *int) knownvalue.Check {
	list := []knownvalue.Check{}
	for _, ty := range types {
		unprocessed := int64(0)
		if ty.Status == fakesas.SensitiveStatusUnhandled {
			unprocessed = 1
		}
		var files knownvalue.Check = knownvalue.Null()
		if withFiles {
			files = expectSecretFiles(ty)
		}
		list = append(list, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"key":               knownvalue.StringExact(ty.Key),
			"name":              knownvalue.StringExact(ty.Name.In(lang)),
			"class_key":         knownvalue.StringExact(ty.ClassKey),
			"class_name":        knownvalue.StringExact(ty.ClassName.In(lang)),
			"risk_level":        knownvalue.StringExact(ty.Level),
			"count":             knownvalue.Int64Exact(int64(len(ty.Files))),
			"unprocessed_count": knownvalue.Int64Exact(unprocessed),
			"status":            knownvalue.StringExact(wantSensitiveStatus[ty.Status]),
			"first_scanned_at":  knownvalue.StringExact(rfc3339(ty.FirstScanTime)),
			"last_scanned_at":   knownvalue.StringExact(rfc3339(ty.LastScanTime)),
			"advice":            nullOr{knownvalue.StringExact(ty.Advice.In(lang)), noAdvice},
			"description":       knownvalue.StringExact(ty.Description.In(lang)),
			"files":             files,
		}))
	}
	return knownvalue.ListExact(list)
}

// expectSensitiveSummary is the exact value of `summary`, counted from the
// fake's types as the documentation defines each count.
func expectSensitiveSummary(types []fakesas.SensitiveFileType) knownvalue.Check {
	counts := map[string]int64{"types": int64(len(types)), "unprocessed": 0, "high": 0, "medium": 0, "low": 0}
	for _, ty := range types {
		if ty.Status == fakesas.SensitiveStatusUnhandled {
			counts["unprocessed"]++
			counts[ty.Level]++
		}
	}
	checks := map[string]knownvalue.Check{}
	for name, n := range counts {
		checks[name] = knownvalue.Int64Exact(n)
	}
	return knownvalue.ObjectExact(checks)
}

// keepTypes are the types f keeps.
func keepTypes(types []fakesas.SensitiveFileType, f func(fakesas.SensitiveFileType) bool) []fakesas.SensitiveFileType {
	var out []fakesas.SensitiveFileType
	for _, ty := range types {
		if f(ty) {
			out = append(out, ty)
		}
	}
	return out
}

// sensitiveRequests are the list and ByKey requests the fake saw, failing
// on any other; reads counts the reads (one list request each, as every
// test image's types fit on one page).
type sensitiveRequests struct {
	reads int
	lists []url.Values
	files []url.Values
}

func sensitiveRequestsOf(t *testing.T, fake *fakesas.Server) sensitiveRequests {
	t.Helper()
	var r sensitiveRequests
	for _, req := range fake.Requests() {
		switch req.Action {
		case sasapi.ActionDescribeImageSensitiveFileList:
			r.lists = append(r.lists, req.Query)
			if req.Query.Get("CurrentPage") == "1" {
				r.reads++
			}
		case sasapi.ActionDescribeImageSensitiveFileByKey:
			r.files = append(r.files, req.Query)
		default:
			t.Fatalf("unexpected %s request", req.Action)
		}
	}
	if r.reads == 0 || len(r.lists) != r.reads {
		t.Fatalf("%d list requests over %d reads, want exactly one per read", len(r.lists), r.reads)
	}
	return r
}

// requireFileRequestsPerRead checks each read listed the files of exactly
// the types given, each in the pages it needs: per read, ⌈files / 100⌉
// requests per type, page 1 once.
func requireFileRequestsPerRead(t *testing.T, r sensitiveRequests, types []fakesas.SensitiveFileType) {
	t.Helper()
	wantPages := map[string]int{}
	total := 0
	for _, ty := range types {
		wantPages[ty.Key] = pagesOf(len(ty.Files), sasapi.MaxPageSize)
		total += wantPages[ty.Key]
	}
	if len(r.files) != r.reads*total {
		t.Fatalf("%d ByKey requests over %d reads, want exactly %d per read (%v pages by type)", len(r.files), r.reads, total, wantPages)
	}
	pages := map[string]int{}
	for _, q := range r.files {
		requireSecretsQuery(t, q, q.Get("ImageUuid"))
		if _, ok := wantPages[q.Get("SensitiveFileKey")]; !ok {
			t.Fatalf("files of %q listed, want only %v", q.Get("SensitiveFileKey"), slices.Sorted(maps.Keys(wantPages)))
		}
		pages[q.Get("SensitiveFileKey")+" page "+q.Get("CurrentPage")]++
	}
	for key, n := range wantPages {
		for p := 1; p <= n; p++ {
			if got := pages[fmt.Sprintf("%s page %d", key, p)]; got != r.reads {
				t.Fatalf("page %d of %s's files asked %d times over %d reads, want once per read", p, key, got, r.reads)
			}
		}
	}
}

// requireSecretsQuery checks what every request of either operation
// carries: the image, ScanRange as one JSON text, the language.
func requireSecretsQuery(t *testing.T, q url.Values, uuid string) {
	t.Helper()
	lang := q.Get("Lang")
	if q.Get("ImageUuid") != uuid || q.Get("ScanRange") != `["image"]` || q.Has("ScanRange.1") || (lang != "en" && lang != "zh") {
		t.Fatalf("request with ImageUuid %q, ScanRange %q, ScanRange.1 %q, Lang %q", q.Get("ImageUuid"), q.Get("ScanRange"), q.Get("ScanRange.1"), lang)
	}
}

// Every attribute of every type, the summary and the exact requests, with
// and without files: the list once per read, and with files each type's
// files in ⌈files / 100⌉ requests (the 150 files of one type in two).
func TestAccImageSensitiveFiles_everyAttributeAndExactCalls(t *testing.T) {
	fake, secretTypes := startSecretsFake(t, fakesas.Options{Images: fakesas.DemoImages(time.Now())})
	uuid := hcl(secretsImageUUID)
	for _, tc := range []struct {
		name, args string
		lang       string
		withFiles  bool
	}{
		{"without files", "image_uuid = " + uuid, "en", false},
		{"with_files false", "image_uuid = " + uuid + "\nwith_files = false", "en", false},
		{"with files", "image_uuid = " + uuid + "\nwith_files = true", "en", true},
		{"with files, in Chinese", "image_uuid = " + uuid + "\nwith_files = true\nlang = \"zh\"", "zh", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetCounters()
			noAdvice := 0
			accTest(t, resource.TestStep{
				Config: sensitiveConfig(fake, tc.args),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sensitiveAddr, tfjsonpath.New("sensitive_files"), expectSensitiveFiles(secretTypes, tc.lang, tc.withFiles, &noAdvice)),
					statecheck.ExpectKnownValue(sensitiveAddr, tfjsonpath.New("summary"), expectSensitiveSummary(secretTypes)),
				},
			})
			if noAdvice == 0 {
				t.Error("no type came without Advice: the null case was not exercised")
			}
			r := sensitiveRequestsOf(t, fake)
			for _, q := range r.lists {
				requireSecretsQuery(t, q, secretsImageUUID)
				if q.Get("Lang") != tc.lang || q.Has("RiskLevel") || q.Has("SensitiveKeyList.1") {
					t.Fatalf("list request %v: want Lang %s and no filter", q, tc.lang)
				}
			}
			var listed []fakesas.SensitiveFileType
			if tc.withFiles {
				listed = secretTypes
			}
			requireFileRequestsPerRead(t, r, listed)
		})
	}
}

// One risk level is sent (RiskLevel takes one); several are not, and the
// types of other levels are dropped here; keys go as SensitiveKeyList.N.
// The files listed are those of the types kept.
func TestAccImageSensitiveFiles_filters(t *testing.T) {
	fake, secretTypes := startSecretsFake(t, fakesas.Options{})
	uuid := "image_uuid = " + hcl(secretsImageUUID) + "\nwith_files = true\n"
	ofLevels := func(levels ...string) []fakesas.SensitiveFileType {
		return keepTypes(secretTypes, func(ty fakesas.SensitiveFileType) bool { return slices.Contains(levels, ty.Level) })
	}
	cases := []struct {
		name, args string
		query      map[string]string // parameters sent, "" for one not sent
		want       []fakesas.SensitiveFileType
	}{
		{"one level, sent", `risk_levels = ["medium"]`, map[string]string{"RiskLevel": "medium"}, ofLevels("medium")},
		{"two levels, filtered here", `risk_levels = ["low", "high"]`, map[string]string{"RiskLevel": ""}, ofLevels("high", "low")},
		{"every level, filtered here", `risk_levels = ["low", "medium", "high"]`, map[string]string{"RiskLevel": ""}, secretTypes},
		{"keys, sorted", fmt.Sprintf("sensitive_file_keys = [%q, %q]", fakesas.SensitiveKeySSHPrivateKey, fakesas.SensitiveKeyAWSAccessKey),
			map[string]string{"SensitiveKeyList.1": fakesas.SensitiveKeyAWSAccessKey, "SensitiveKeyList.2": fakesas.SensitiveKeySSHPrivateKey, "SensitiveKeyList.3": ""},
			keepTypes(secretTypes, func(ty fakesas.SensitiveFileType) bool {
				return ty.Key == fakesas.SensitiveKeyAWSAccessKey || ty.Key == fakesas.SensitiveKeySSHPrivateKey
			})},
		{"a key and a level", fmt.Sprintf("sensitive_file_keys = [%q]\nrisk_levels = [\"high\"]", fakesas.SensitiveKeyGitConfig),
			map[string]string{"SensitiveKeyList.1": fakesas.SensitiveKeyGitConfig, "RiskLevel": "high"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake.ResetCounters()
			noAdvice := 0
			accTest(t, resource.TestStep{
				Config: sensitiveConfig(fake, uuid+tc.args),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sensitiveAddr, tfjsonpath.New("sensitive_files"), expectSensitiveFiles(tc.want, "en", true, &noAdvice)),
					statecheck.ExpectKnownValue(sensitiveAddr, tfjsonpath.New("summary"), expectSensitiveSummary(tc.want)),
				},
			})
			r := sensitiveRequestsOf(t, fake)
			for _, q := range r.lists {
				for name, want := range tc.query {
					if q.Get(name) != want || q.Has(name) != (want != "") {
						t.Fatalf("list request %v: want %s=%q", q, name, want)
					}
				}
			}
			requireFileRequestsPerRead(t, r, tc.want)
		})
	}
}

// An image never scanned has no secret types, and reads as none: the
// summary cannot tell it from a clean image (the gate example pairs it
// with the image's scanned).
func TestAccImageSensitiveFiles_unscannedImageHasNone(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(time.Now())})
	accTest(t, resource.TestStep{
		Config: sensitiveConfig(fake, "image_uuid = "+hcl(fakesas.DemoUUIDCheckoutUnscanned)+"\nwith_files = true"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(sensitiveAddr, tfjsonpath.New("sensitive_files"), knownvalue.ListSizeExact(0)),
			statecheck.ExpectKnownValue(sensitiveAddr, tfjsonpath.New("summary"), expectSensitiveSummary(nil)),
		},
	})
	requireFileRequestsPerRead(t, sensitiveRequestsOf(t, fake), nil)
}

// Invalid arguments fail at plan time, naming the attribute, and the fake
// sees no request at all.
func TestAccImageSensitiveFiles_invalidArgumentsFailAtPlanWithoutRequests(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.DemoImages(time.Now())})
	uuid := "image_uuid = " + hcl(fakesas.DemoUUIDPaymentsVulnerable) + "\n"
	cases := []struct {
		name, args string
		want       []string
	}{
		{"no image_uuid", `with_files = true`, []string{`The argument "image_uuid" is required`}},
		{"image_uuid with a space", `image_uuid = "u 1"`, []string{"Attribute image_uuid must be an image uuid, without commas or spaces"}},
		{"two uuids in one", `image_uuid = "u-1,u-2"`, []string{"Attribute image_uuid must be an image uuid"}},
		{"empty image_uuid", `image_uuid = ""`, []string{"Attribute image_uuid must be an image uuid"}},
		{"unknown level", uuid + `risk_levels = ["critical"]`, []string{"Attribute risk_levels", `value must be one of: ["high" "medium" "low"]`, `"critical"`}},
		{"level in capitals", uuid + `risk_levels = ["HIGH"]`, []string{"Attribute risk_levels", "value must be one of"}},
		{"no level", uuid + `risk_levels = []`, []string{"Attribute risk_levels set must contain at least 1 elements"}},
		{"empty key", uuid + `sensitive_file_keys = [""]`, []string{"Attribute sensitive_file_keys", "must be a secret type key, without spaces or commas"}},
		{"two keys in one", uuid + `sensitive_file_keys = ["aws_access_key,git_cfg"]`, []string{"Attribute sensitive_file_keys", "must be a secret type key"}},
		{"no key", uuid + `sensitive_file_keys = []`, []string{"Attribute sensitive_file_keys set must contain at least 1 elements"}},
		{"unknown language", uuid + `lang = "fr"`, []string{"Attribute lang", `value must be one of: ["en" "zh"]`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			accTest(t, resource.TestStep{Config: sensitiveConfig(fake, tc.args), PlanOnly: true, ExpectError: errorMatching(tc.want...)})
		})
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("the fake saw %d requests, want none", n)
	}
}

// Each count on types on either side of its condition; a type adds to no
// count but `types` unless the case says so.
func TestSensitiveSummary_eachCountOnBothSidesOfItsCondition(t *testing.T) {
	row := func(level string, unprocessed types.Int64, status string) sensitiveFileModel {
		s := types.StringNull()
		if status != "" {
			s = types.StringValue(status)
		}
		return sensitiveFileModel{RiskLevel: types.StringValue(level), UnprocessedCount: unprocessed, Status: s}
	}
	n := types.Int64Value
	cases := []struct {
		name string
		row  sensitiveFileModel
		adds map[string]int64
	}{
		{"high, unprocessed", row("high", n(1), "unhandled"), map[string]int64{"unprocessed": 1, "high": 1}},
		{"high, handled", row("high", n(0), "handled"), nil},
		{"high, unprocessed in three images", row("high", n(3), "unhandled"), map[string]int64{"unprocessed": 3, "high": 1}},
		{"high, count unknown, unhandled", row("high", types.Int64Null(), "unhandled"), map[string]int64{"high": 1}},
		{"high, count unknown, status unknown", row("high", types.Int64Null(), ""), map[string]int64{"high": 1}},
		{"high, count unknown, undocumented status", row("high", types.Int64Null(), "2"), map[string]int64{"high": 1}},
		{"high, count unknown, handled", row("high", types.Int64Null(), "handled"), nil},
		{"high, count 0 though unhandled", row("high", n(0), "unhandled"), nil},
		{"high, negative count", row("high", n(-1), "unhandled"), nil},
		{"medium, unprocessed", row("medium", n(1), "unhandled"), map[string]int64{"unprocessed": 1, "medium": 1}},
		{"medium, handled", row("medium", n(0), "handled"), nil},
		{"low, unprocessed", row("low", n(1), "unhandled"), map[string]int64{"unprocessed": 1, "low": 1}},
		{"low, handled", row("low", n(0), "handled"), nil},
		{"an undocumented level", row("critical", n(1), "unhandled"), map[string]int64{"unprocessed": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := map[string]int64{"types": 1, "unprocessed": 0, "high": 0, "medium": 0, "low": 0}
			maps.Copy(want, tc.adds)
			if got := summaryInts(t, sensitiveSummary.of([]sensitiveFileModel{tc.row}, nil)); !maps.Equal(got, want) {
				t.Errorf("summary = %v, want %v", got, want)
			}
		})
	}
	if got := summaryInts(t, sensitiveSummary.of(nil, nil)); !maps.Equal(got, map[string]int64{"types": 0, "unprocessed": 0, "high": 0, "medium": 0, "low": 0}) {
		t.Errorf("summary of nothing = %v", got)
	}
}

// summaryInts is a summary's counts, all known numbers.
func summaryInts(t *testing.T, summary types.Object) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for name, v := range summary.Attributes() {
		n, ok := v.(types.Int64)
		if !ok || n.IsNull() || n.IsUnknown() {
			t.Fatalf("summary.%s = %v, want a known number", name, v)
		}
		out[name] = n.ValueInt64()
	}
	return out
}

// Fields the service did not send are null, never a made-up zero; a time
// of 0 is null; an undocumented status is kept as its number; files are
// null unless listed, and an empty list when listed but none came.
func TestFlattenSensitiveTypes(t *testing.T) {
	found := []sasapi.SensitiveFileType{
		{SensitiveFileKey: sasapi.String{Value: "aws_access_key", Valid: true}, RiskLevel: sasapi.String{Value: " High", Valid: true},
			Status: sasapi.Int{Value: 7, Valid: true}, FirstScanTime: sasapi.Int{Value: 0, Valid: true}, LastScanTime: sasapi.Int{Value: 1719993600000, Valid: true}},
		{SensitiveFileKey: sasapi.String{Value: "git_cfg", Valid: true}},
	}
	for _, files := range []map[string][]sasapi.SensitiveFile{nil, {}} {
		out := flattenSensitiveTypes(found, files)
		a, b := out[0], out[1]
		if a.RiskLevel.ValueString() != "high" || a.Status.ValueString() != "7" || !a.FirstScannedAt.IsNull() ||
			a.LastScannedAt.ValueString() != "2024-07-03T08:00:00Z" {
			t.Errorf("first type %+v", a)
		}
		for name, v := range map[string]interface{ IsNull() bool }{
			"name": b.Name, "class_key": b.ClassKey, "class_name": b.ClassName, "risk_level": b.RiskLevel, "count": b.Count,
			"unprocessed_count": b.UnprocessedCount, "status": b.Status, "first_scanned_at": b.FirstScannedAt,
			"last_scanned_at": b.LastScannedAt, "advice": b.Advice, "description": b.Description,
		} {
			if !v.IsNull() {
				t.Errorf("%s not sent, read as %v", name, v)
			}
		}
		if (files == nil) != (a.Files == nil) || (files == nil) != (b.Files == nil) {
			t.Errorf("files listed: %v; files %v and %v, want null exactly when not listed", files != nil, a.Files, b.Files)
		}
	}
	var f sasapi.SensitiveFile
	flattened := flattenSecretFiles([]sasapi.SensitiveFile{f})[0]
	if !flattened.Excerpt.IsNull() || !flattened.Path.IsNull() || !flattened.MD5.IsNull() {
		t.Errorf("a file without fields flattens to %+v, want nulls", flattened)
	}
}

// `files` is marked sensitive, and nothing else of either data source: the
// flag is what makes Terraform hide the excerpts in its plan output.
func TestSecretFilesAreSensitiveInTheSchema(t *testing.T) {
	for typeName, want := range map[string][]string{
		"sas_image_sensitive_files": {"sensitive_files.files"},
		"sas_image_malicious_files": nil,
	} {
		if got := sensitiveAttributes(t, typeName); !slices.Equal(got, want) {
			t.Errorf("%s: sensitive attributes %q, want %q", typeName, got, want)
		}
	}
}

// sensitiveAttributes are the dotted paths of the attributes of a data
// source's schema marked sensitive, as Terraform receives the schema.
func sensitiveAttributes(t *testing.T, typeName string) []string {
	t.Helper()
	server := providerserver.NewProtocol6(New("test")())()
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, resp.Diagnostics)
	}
	var out []string
	var walk func(prefix string, attrs []*tfprotov6.SchemaAttribute)
	walk = func(prefix string, attrs []*tfprotov6.SchemaAttribute) {
		for _, a := range attrs {
			if a.Sensitive {
				out = append(out, prefix+a.Name)
			}
			if a.NestedType != nil {
				walk(prefix+a.Name+".", a.NestedType.Attributes)
			}
		}
	}
	schema := resp.DataSourceSchemas[typeName]
	if schema == nil {
		t.Fatalf("no schema for %s", typeName)
	}
	walk("", schema.Block.Attributes)
	slices.Sort(out)
	return out
}

// excerptsOf are the excerpts of every file of the types, and the visible
// part of each when it is long enough to be told from other text.
func excerptsOf(types []fakesas.SensitiveFileType) []string {
	var out []string
	for _, ty := range types {
		for _, f := range ty.Files {
			out = append(out, f.Promt)
			if visible := strings.TrimRight(f.Promt, "*"); len(visible) >= 7 {
				out = append(out, visible)
			}
		}
	}
	return out
}

// rewrite changes or replaces one answer of the fake: it gets the action,
// the query and the fake's answer, and returns the answer to send.
type rewrite func(action string, q url.Values, status int, body []byte) (int, []byte)

// startRewritingProxy serves the fake through a proxy that passes each
// answer through the rewrite current at the time (nil: unchanged), and
// returns the proxy's endpoint and the setter of the rewrite. The fake
// checks signatures against the Host the client signed, which the proxy
// keeps.
func startRewritingProxy(t *testing.T, fake *fakesas.Server) (string, func(rewrite)) {
	t.Helper()
	var current atomic.Pointer[rewrite]
	client := &http.Client{Timeout: time.Minute}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+fake.Endpoint()+r.URL.RequestURI(), r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out.Header = r.Header.Clone()
		out.Host = r.Host
		resp, err := client.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		status := resp.StatusCode
		if f := current.Load(); f != nil && *f != nil {
			action := cmp.Or(r.Header.Get("x-acs-action"), r.URL.Query().Get("Action"))
			status, body = (*f)(action, r.URL.Query(), status, body)
		}
		for k, v := range resp.Header {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), func(f rewrite) { current.Store(&f) }
}

// onSecondFilesPage applies change to page 2 of the files of a type.
func onSecondFilesPage(change func(body []byte) (int, []byte)) rewrite {
	return func(action string, q url.Values, status int, body []byte) (int, []byte) {
		if action == sasapi.ActionDescribeImageSensitiveFileByKey && q.Get("CurrentPage") == "2" {
			return change(body)
		}
		return status, body
	}
}

var totalCount = regexp.MustCompile(`"TotalCount":\d+`)

// The masked excerpts of secrets are stored in the state (marked
// sensitive), but never appear in a diagnostic or in a line of the TRACE
// log of Terraform and the provider, whether the read succeeds or fails
// after reading files: page 2 of a type's files refused, page 2 unreadable
// (the page around the failure full of excerpts), or every page read and
// the listing short of what the service counted.
func TestAccImageSensitiveFiles_excerptNeverInDiagnosticsOrLogs(t *testing.T) {
	logDir := t.TempDir()
	fake, secretTypes := startSecretsFake(t, fakesas.Options{})
	excerpts := excerptsOf(secretTypes)
	endpoint, setRewrite := startRewritingProxy(t, fake)
	config := `
provider "sas" {
  endpoint    = "` + endpoint + `"
  protocol    = "HTTP"
  access_key  = "` + fakesas.TestAccessKey + `"
  secret_key  = "` + fakesas.TestSecretKey + `"
  max_retries = 0
}
data "sas_image_sensitive_files" "test" {
  image_uuid = "` + secretsImageUUID + `"
  with_files = true
}
`
	isolateEnv(t)
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", filepath.Join(logDir, "terraform.log"))
	failing := func(f rewrite) resource.TestStep {
		return resource.TestStep{Config: config, PreConfig: func() { setRewrite(f) }}
	}
	var diagnostics []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		ErrorCheck:               recordErrors(&diagnostics),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(sensitiveAddr, tfjsonpath.New("sensitive_files").AtSliceIndex(0).AtMapKey("files"), expectSecretFiles(secretTypes[0])),
				},
			},
			failing(onSecondFilesPage(func([]byte) (int, []byte) {
				return http.StatusForbidden, []byte(`{"RequestId":"R-refused","Code":"NoPermission","Message":"You are not authorized to do this action."}`)
			})),
			failing(onSecondFilesPage(func(body []byte) (int, []byte) {
				return http.StatusOK, bytes.Replace(body, []byte(`"LastScanTime":`), []byte(`"LastScanTime":{},"Seen":`), 1)
			})),
			failing(func(action string, _ url.Values, status int, body []byte) (int, []byte) {
				if action == sasapi.ActionDescribeImageSensitiveFileByKey {
					body = totalCount.ReplaceAll(body, []byte("${0}7"))
				}
				return status, body
			}),
		},
	})
	wantErrors := []*regexp.Regexp{
		errorMatching("Reading from Security Center", "NoPermission", "R-refused"),
		errorMatching("Reading from Security Center: unreadable response", "expected a number, got an object"),
		errorMatching("Incomplete Security Center listing of secret files", "reported 1507 matching secret files but returned only 150"),
	}
	if len(diagnostics) != len(wantErrors) {
		t.Fatalf("%d failing steps, want %d: %q", len(diagnostics), len(wantErrors), diagnostics)
	}
	for k, d := range diagnostics {
		if !wantErrors[k].MatchString(d) {
			t.Errorf("failure %d: %s; want %s", k, d, wantErrors[k])
		}
		requireNoExcerpt(t, fmt.Sprintf("the diagnostics of failure %d", k), d, excerpts)
	}
	log, err := os.ReadFile(filepath.Join(logDir, "terraform.log"))
	if err != nil {
		t.Fatalf("reading the logs: %v", err)
	}
	if !strings.Contains(string(log), "DescribeImageSensitiveFileByKey page 2 of 2") {
		t.Fatal("the provider's TRACE logs were not captured: the test proves nothing")
	}
	requireNoExcerpt(t, "the TRACE log", string(log), excerpts)
}

func requireNoExcerpt(t *testing.T, where, text string, excerpts []string) {
	t.Helper()
	for _, e := range excerpts {
		if strings.Contains(text, e) {
			t.Errorf("%s holds a secret's excerpt (%.4s…)", where, e)
			return
		}
	}
}

// What a JSON plan (terraform show -json) holds of `files`, which
// examples/policy/README.md tells policy authors: a data source read
// during plan is in prior_state with its values in clear, the excerpts
// included, and sensitive_values marks each type's files as sensitive.
// Terraform hides the files in its own output, not in the plan JSON.
func TestAccImageSensitiveFiles_planJSONHoldsTheExcerptsInClear(t *testing.T) {
	fake, secretTypes := startSecretsFake(t, fakesas.Options{})
	var plan []byte
	accTest(t, resource.TestStep{
		Config: sensitiveConfig(fake, "image_uuid = "+hcl(secretsImageUUID)+"\nwith_files = true") + `
resource "terraform_data" "deployment" {
  input = length(data.sas_image_sensitive_files.test.sensitive_files)
}
`,
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{capturePlan{&plan}}},
	})
	var doc struct {
		PriorState struct {
			Values struct {
				RootModule struct {
					Resources []struct {
						Address string
						Values  struct {
							SensitiveFiles []struct {
								Key   string
								Files []struct{ Path, Excerpt string }
							} `json:"sensitive_files"`
						}
						SensitiveValues struct {
							SensitiveFiles []struct{ Files bool } `json:"sensitive_files"`
						} `json:"sensitive_values"`
					}
				} `json:"root_module"`
			}
		} `json:"prior_state"`
	}
	if err := json.Unmarshal(plan, &doc); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range doc.PriorState.Values.RootModule.Resources {
		if r.Address != sensitiveAddr {
			continue
		}
		found = true
		inClear := 0
		for k, ty := range r.Values.SensitiveFiles {
			for n, f := range ty.Files {
				if f.Excerpt == secretTypes[k].Files[n].Promt {
					inClear++
				}
			}
			if !r.SensitiveValues.SensitiveFiles[k].Files {
				t.Errorf("sensitive_values does not mark the files of %s", ty.Key)
			}
		}
		if want := len(excerptsOfFiles(secretTypes)); inClear != want {
			t.Errorf("%d excerpts in clear in prior_state.values, want all %d: update examples/policy/README.md", inClear, want)
		}
	}
	if !found {
		t.Fatalf("no %s in prior_state", sensitiveAddr)
	}
}

// excerptsOfFiles is every file's excerpt.
func excerptsOfFiles(types []fakesas.SensitiveFileType) []string {
	var out []string
	for _, ty := range types {
		for _, f := range ty.Files {
			out = append(out, f.Promt)
		}
	}
	return out
}
