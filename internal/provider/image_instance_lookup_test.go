package provider

import (
	"context"
	"fmt"
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
	page := &sasapi.DescribeImageInstancesResponse{
		PageInfo:          &sasapi.PageInfo{TotalCount: sasapi.Int{Value: 12, Valid: true}},
		ImageInstanceList: decodedImages(t, images),
	}
	image, failure := lookup.choose(page)
	if image != nil || failure == nil || failure.kind != lookupAmbiguous {
		t.Fatalf("want an ambiguous lookup, got image %v, failure %+v", image, failure)
	}
	detail := lookup.diagnostic(failure, "here").Detail()
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
