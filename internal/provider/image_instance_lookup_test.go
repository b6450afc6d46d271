package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

func TestImageReference(t *testing.T) {
	digest := sha256Hex("d")
	cases := []struct {
		name  string
		image fakesas.Image
		want  string // "" for null
	}{
		{"registry from the first endpoint", fakesas.Image{"Endpoints": `["registry.cn-hangzhou.aliyuncs.com/prod/app:1","registry-vpc.cn-hangzhou.aliyuncs.com/prod/app:1"]`},
			"registry.cn-hangzhou.aliyuncs.com/prod/app@sha256:" + digest},
		{"registry with a port", fakesas.Image{"Endpoints": `["harbor.local:8443/prod/app:1"]`}, "harbor.local:8443/prod/app@sha256:" + digest},
		{"localhost registry", fakesas.Image{"Endpoints": `["localhost/prod/app:1"]`}, "localhost/prod/app@sha256:" + digest},
		{"scheme dropped", fakesas.Image{"Endpoints": `["https://harbor.example/prod/app:1"]`}, "harbor.example/prod/app@sha256:" + digest},
		{"no endpoint", fakesas.Image{"Endpoints": `[]`}, "prod/app@sha256:" + digest},
		{"endpoints absent", fakesas.Image{"Endpoints": nil}, "prod/app@sha256:" + digest},
		{"first segment is not a host", fakesas.Image{"Endpoints": `["prod/app:1"]`}, "prod/app@sha256:" + digest},
		{"host without a path", fakesas.Image{"Endpoints": `["registry.example"]`}, "prod/app@sha256:" + digest},
		{"namespace N/A left out", fakesas.Image{"RepoNamespace": "N/A", "Endpoints": `["quay.io/app:1"]`}, "quay.io/app@sha256:" + digest},
		{"empty namespace left out", fakesas.Image{"RepoNamespace": "", "Endpoints": `[]`}, "app@sha256:" + digest},
		{"prefixed digest not doubled", fakesas.Image{"Digest": "sha256:" + digest, "Endpoints": `[]`}, "prod/app@sha256:" + digest},
		{"digest in capitals lowered", fakesas.Image{"Digest": "SHA256:" + strings.ToUpper(digest), "Endpoints": `[]`}, "prod/app@sha256:" + digest},
		{"no digest", fakesas.Image{"Digest": nil}, ""},
		{"no repository", fakesas.Image{"RepoName": nil}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			image := fakesas.Image{"Uuid": "u", "RepoName": "app", "RepoNamespace": "prod", "Digest": digest}
			for k, v := range tc.image {
				if v == nil {
					delete(image, k)
				} else {
					image[k] = v
				}
			}
			got := imageReference(&decodedImages(t, []fakesas.Image{image})[0])
			want := types.StringNull()
			if tc.want != "" {
				want = types.StringValue(tc.want)
			}
			if !got.Equal(want) {
				t.Fatalf("image_reference %s, want %s", got, want)
			}
		})
	}
}

func TestLookupDiagnostic_listsTenCandidatesAndCountsTheRest(t *testing.T) {
	var images []fakesas.Image
	for k := range 12 {
		images = append(images, lookupImage(fmt.Sprintf("u-%02d", k), fmt.Sprintf("ns-%02d", k), "app", "1"))
	}
	model := imageInstanceModel{imageModel: imageModel{RepoName: types.StringValue("app"), Tag: types.StringValue("1")}}
	lookup := newImageLookup(&model)
	image, failure := choosePage(t, lookup, "here", 12, images...)
	if image != nil || failure == nil || failure.kind != lookupAmbiguous {
		t.Fatalf("want an ambiguous lookup, got image %v, failure %+v", image, failure)
	}
	detail := failure.detail()
	for k, img := range images {
		line := fmt.Sprintf("  - %s/app:1, digest %s,", field(img, "RepoNamespace"), field(img, "Digest"))
		if listed := strings.Contains(detail, line); listed != (k < maxCandidatesListed) {
			t.Errorf("candidate %d listed: %v, want %v", k, listed, k < maxCandidatesListed)
		}
	}
	if !strings.Contains(detail, "12 images match") || !strings.Contains(detail, "(and 2 more)") {
		t.Errorf("detail does not count every match:\n%s", detail)
	}
}

// The embedded image model converts as the framework converts it.
func TestSetState_singularImageMatchesStateSet(t *testing.T) {
	images := decodedImages(t, []fakesas.Image{fakesas.FullImage(), {"Uuid": "u-sparse"}})
	for _, i := range images {
		t.Run(i.Uuid.Value, func(t *testing.T) {
			ctx := context.Background()
			model := &imageInstanceModel{MostRecent: types.BoolValue(true)}
			model.flatten(&i)
			want, got := emptyState(t, NewImageInstanceDataSource()), emptyState(t, NewImageInstanceDataSource())
			if diags := want.Set(ctx, model); diags.HasError() {
				t.Fatalf("State.Set: %v", diags)
			}
			if diags := setState(ctx, &got, model); diags.HasError() {
				t.Fatalf("setState: %v", diags)
			}
			if !want.Raw.Equal(got.Raw) {
				diffs, _ := want.Raw.Diff(got.Raw)
				t.Fatalf("setState differs from State.Set in %d places, first: %v", len(diffs), diffs[0])
			}
		})
	}
}

// choosePage runs choose on the one page a lookup reads, with the
// service's total, the page de-duplicated as the listing does.
func choosePage(t *testing.T, l imageLookup, where string, total int64, images ...fakesas.Image) (*sasapi.ImageInstance, *lookupFailure) {
	t.Helper()
	var kept []sasapi.ImageInstance
	seen := map[string]bool{}
	for _, img := range decodedImages(t, images) {
		if key, ok := sasapi.DescribeImageInstances.Key(&img); ok && seen[key] {
			continue
		} else if ok {
			seen[key] = true
		}
		kept = append(kept, img)
	}
	image, err := l.choose(kept, len(images), int(total), where)
	var failure *lookupFailure
	if err != nil && !errors.As(err, &failure) {
		t.Fatalf("choose failed with %v, want a *lookupFailure", err)
	}
	return image, failure
}

// The lookup keeps the images whose fields equal the arguments (digest and
// image_id without their sha256: prefix), one per uuid, and picks one as
// sas_image_instance's description says: it fails when none or several
// match (unless most_recent), and when the service counts more images than
// the page read.
func TestImageLookup_choose(t *testing.T) {
	a, b := lookupImage("u-a", "prod", "app", "1"), lookupImage("u-b", "test", "app", "1")
	loose := lookupImage("u-loose", "prod", "app-web", "1")
	byRepo := imageModel{RepoName: types.StringValue("app"), Tag: types.StringValue("1")}
	byDigest := imageModel{Digest: types.StringValue("sha256:" + field(a, "Digest"))}
	byImageID := imageModel{ImageID: types.StringValue(field(b, "ImageId"))}
	narrowed := byRepo
	narrowed.RepoNamespace = types.StringValue("test")
	unsentTag := lookupImage("u-c", "prod", "app", "1", fakesas.Image{"Tag": nil})
	cases := []struct {
		name       string
		model      imageModel
		mostRecent bool
		total      int64
		images     []fakesas.Image
		want       string // uuid chosen, or the failure
	}{
		{"one exact match", byRepo, false, 2, []fakesas.Image{a, loose}, "u-a"},
		{"by digest, prefix stripped", byDigest, false, 2, []fakesas.Image{b, a}, "u-a"},
		{"by image id", byImageID, false, 2, []fakesas.Image{a, b}, "u-b"},
		{"narrowed", narrowed, false, 2, []fakesas.Image{a, b}, "u-b"},
		{"loose matches only", byRepo, false, 1, []fakesas.Image{loose}, "not found"},
		{"field not sent does not match", byRepo, false, 1, []fakesas.Image{unsentTag}, "not found"},
		{"empty page", byRepo, false, 0, nil, "not found"},
		{"two matches", byRepo, false, 2, []fakesas.Image{a, b}, "ambiguous"},
		{"two matches, most_recent", byRepo, true, 2, []fakesas.Image{a, b}, "u-a"},
		{"one image listed twice", byRepo, false, 2, []fakesas.Image{a, a}, "u-a"},
		{"more counted than read", byRepo, false, 3, []fakesas.Image{a, loose}, "incomplete"},
		{"more counted than read, most_recent", byRepo, true, 3, []fakesas.Image{a, b}, "incomplete"},
		{"several and more counted", byRepo, false, 3, []fakesas.Image{a, b}, "ambiguous"},
	}
	failures := map[lookupFailureKind]string{lookupNotFound: "not found", lookupAmbiguous: "ambiguous", lookupIncomplete: "incomplete"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			model := imageInstanceModel{imageModel: tc.model, MostRecent: types.BoolValue(tc.mostRecent)}
			image, failure := choosePage(t, newImageLookup(&model), "here", tc.total, tc.images...)
			got := ""
			switch {
			case image != nil && failure == nil:
				got = image.Uuid.Value
			case image == nil && failure != nil:
				got = failures[failure.kind]
			}
			if got != tc.want {
				t.Errorf("chose %q, want %q (image %v, failure %+v)", got, tc.want, image, failure)
			}
		})
	}
}

// most_recent takes the newest image_update, then the newest image_create,
// then the smallest uuid; a time the service did not send counts as the
// oldest, older than any time sent.
func TestImageLookup_mostRecentOrder(t *testing.T) {
	at := func(uuid string, updated, created any) fakesas.Image {
		return lookupImage(uuid, "prod", "app", "1", fakesas.Image{"ImageUpdate": updated, "ImageCreate": created})
	}
	cases := []struct {
		name   string
		images []fakesas.Image
		want   string
	}{
		{"newer update wins over newer create", []fakesas.Image{at("u-a", "1760000000000", "1760000000009"), at("u-b", "1760000000005", "1750000000000")}, "u-b"},
		{"newer update first in the list", []fakesas.Image{at("u-b", "1760000000005", "1750000000000"), at("u-a", "1760000000000", "1760000000009")}, "u-b"},
		{"same update: newer create", []fakesas.Image{at("u-a", "1760000000005", "1750000000001"), at("u-b", "1760000000005", "1750000000002")}, "u-b"},
		{"same times: smaller uuid", []fakesas.Image{at("u-b", "1760000000005", "1750000000001"), at("u-a", "1760000000005", "1750000000001")}, "u-a"},
		{"update not sent is older than 0", []fakesas.Image{at("u-a", nil, "1750000000009"), at("u-b", "0", "1")}, "u-b"},
		{"update not sent is older than 1", []fakesas.Image{at("u-a", nil, "1750000000009"), at("u-b", "1", "1")}, "u-b"},
		{"create not sent is older", []fakesas.Image{at("u-a", "5", nil), at("u-b", "5", "1")}, "u-b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			model := imageInstanceModel{imageModel: imageModel{RepoName: types.StringValue("app"), Tag: types.StringValue("1")}, MostRecent: types.BoolValue(true)}
			image, failure := choosePage(t, newImageLookup(&model), "here", int64(len(tc.images)), tc.images...)
			if failure != nil || image.Uuid.Value != tc.want {
				t.Errorf("chose %v (failure %+v), want %s", image, failure, tc.want)
			}
		})
	}
}

// The lookup sends each argument set as its criterion, digest and image_id
// without the sha256: prefix, for one page of the largest size.
func TestImageLookup_request(t *testing.T) {
	digest := sha256Hex("r")
	model := imageInstanceModel{imageModel: imageModel{Digest: types.StringValue("sha256:" + digest), RegionID: types.StringValue("cn-shanghai"),
		RepoName: types.StringNull(), Tag: types.StringUnknown()}}
	got := newImageLookup(&model).query()
	want := []sasapi.Criterion{{Name: "digest", Value: digest}, {Name: "regionId", Value: "cn-shanghai"}}
	if !slices.Equal(got.Criteria, want) || got.LogicalExp != sasapi.LogicalAnd {
		t.Errorf("query %+v, want criteria %v joined by AND", got, want)
	}
	if lookupOptions.PageSize != sasapi.MaxPageSize || lookupOptions.MaxResults != sasapi.MaxPageSize {
		t.Errorf("options %+v, want one page of %d", lookupOptions, sasapi.MaxPageSize)
	}
	upper := imageInstanceModel{imageModel: imageModel{Digest: types.StringValue("SHA256:" + strings.ToUpper(digest))}}
	if got := newImageLookup(&upper).query().Criteria; !slices.Equal(got, []sasapi.Criterion{{Name: "digest", Value: digest}}) {
		t.Errorf("criteria %v: a digest in capitals is sent bare and in lower case", got)
	}
	imageID := imageInstanceModel{imageModel: imageModel{ImageID: types.StringValue("sha256:abc"), Tag: types.StringValue("sha256:t")}}
	if got := newImageLookup(&imageID).query().Criteria; !slices.Equal(got, []sasapi.Criterion{{Name: "ImageId", Value: "abc"}, {Name: "tag", Value: "sha256:t"}}) {
		t.Errorf("criteria %v: image_id loses its prefix, tag keeps its text", got)
	}
}

// The failure diagnostics say what matched: "N images match" when the page
// held every match and "At least N" when the service counted more; up to
// ten candidates and how many more; the repository to list when nothing
// matched.
func TestLookupDiagnostic_saysWhatMatched(t *testing.T) {
	var images []fakesas.Image
	for k := range maxCandidatesListed {
		images = append(images, lookupImage(fmt.Sprintf("u-%02d", k), fmt.Sprintf("ns-%02d", k), "app", "1"))
	}
	model := imageInstanceModel{imageModel: imageModel{RepoName: types.StringValue("app"), Tag: types.StringValue("1")}}
	lookup := newImageLookup(&model)
	for _, tc := range []struct {
		total     int64
		want, not string
	}{
		{int64(len(images)), fmt.Sprintf("%d images match", len(images)), "At least"},
		{int64(len(images)) + 1, fmt.Sprintf("At least %d images match", len(images)), ""},
	} {
		_, failure := choosePage(t, lookup, "here", tc.total, images...)
		if failure == nil || failure.kind != lookupAmbiguous {
			t.Fatalf("total %d: want an ambiguous lookup, got %+v", tc.total, failure)
		}
		detail := failure.detail()
		if !strings.HasPrefix(detail, tc.want) || (tc.not != "" && strings.Contains(detail, tc.not)) {
			t.Errorf("total %d: detail does not start with %q:\n%s", tc.total, tc.want, detail)
		}
		if strings.Contains(detail, "more)") {
			t.Errorf("total %d: ten candidates listed with a count of more:\n%s", tc.total, detail)
		}
	}

	notFound := func(m imageModel) string {
		model := imageInstanceModel{imageModel: m}
		l := newImageLookup(&model)
		_, failure := choosePage(t, l, "endpoint e", 0)
		return failure.detail()
	}
	if d := notFound(model.imageModel); !strings.Contains(d, `No image matches repo_name = "app", tag = "1" (endpoint e)`) || !strings.Contains(d, `value = "app"`) {
		t.Errorf("not found by repository:\n%s", d)
	}
	if d := notFound(imageModel{ImageID: types.StringValue("abc")}); !strings.Contains(d, `image_id = "abc"`) || !strings.Contains(d, `value = "<repository>"`) {
		t.Errorf("not found by image id:\n%s", d)
	}
}

// When the service counts more images than the page read, the diagnostic
// gives its count, the page's size and the exact matches read.
func TestLookupDiagnostic_incompleteSaysWhatWasRead(t *testing.T) {
	images := []fakesas.Image{lookupImage("u-a", "prod", "app", "1"), lookupImage("u-b", "prod", "app-web", "1")}
	model := imageInstanceModel{imageModel: imageModel{RepoName: types.StringValue("app"), Tag: types.StringValue("1")}}
	lookup := newImageLookup(&model)
	_, failure := choosePage(t, lookup, "endpoint e", 150, images...)
	if failure == nil || failure.kind != lookupIncomplete {
		t.Fatalf("want an incomplete lookup, got %+v", failure)
	}
	d := diagnose(failure)
	want := errorMatching(`DescribeImageInstances reports 150 images for repo_name = "app", tag = "1" (endpoint e), more than the 2 one lookup reads`,
		"Of those read, 1 match exactly", narrowingNames)
	if d.Summary() != "Too many Security Center images to look up one" || !want.MatchString(d.Detail()) {
		t.Errorf("diagnostic %q:\n%s", d.Summary(), d.Detail())
	}
}
