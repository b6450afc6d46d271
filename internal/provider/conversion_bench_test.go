package provider

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// pageBody is a realistic DescribeImageInstances page of the given images.
func pageBody(tb testing.TB, images []fakesas.Image) []byte {
	tb.Helper()
	n := len(images)
	body, err := json.Marshal(map[string]any{
		"RequestId":         "BE120DAB-F4E7-4C53-ADC3-A97578ABF384",
		"PageInfo":          map[string]any{"CurrentPage": 1, "PageSize": n, "TotalCount": n, "Count": n},
		"ImageInstanceList": images,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

type conversionRoute struct {
	name  string
	write func(context.Context, *tfsdk.State, []sasapi.ImageInstance, int) diag.Diagnostics
}

var conversionRoutes = []conversionRoute{
	{"framework", func(ctx context.Context, state *tfsdk.State, images []sasapi.ImageInstance, total int) diag.Diagnostics {
		var m imageInstancesModel
		m.flatten(images, total)
		return state.Set(ctx, &m)
	}},
	{"encoder", func(ctx context.Context, state *tfsdk.State, images []sasapi.ImageInstance, total int) diag.Diagnostics {
		var m imageInstancesModel
		m.flatten(images, total)
		value, err := encodeModel(ctx, state.Schema.Type().TerraformType(ctx), &m)
		if err != nil {
			return diag.Diagnostics{diag.NewErrorDiagnostic("encode", err.Error())}
		}
		return state.Set(ctx, value)
	}},
}

// BenchmarkDecodeAndConvertPage measures the provider-side cost per image of
// turning a page body into the data source's state: typed decode, then the
// images list, ids and summary written into a tfsdk.State.
func BenchmarkDecodeAndConvertPage(b *testing.B) {
	const n = 100
	body := pageBody(b, fakesas.GenerateImages(n, 1))
	ctx := context.Background()
	empty := emptyState(b, NewImageInstancesDataSource())
	for _, route := range conversionRoutes {
		b.Run("route="+route.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page, err := sasapi.DescribeImageInstances.Read(body)
				if err != nil {
					b.Fatal(err)
				}
				state := empty
				if diags := route.write(ctx, &state, page.Items, n); diags.HasError() {
					b.Fatal(diags)
				}
			}
			reportPerImage(b, n)
		})
	}
}

// reportPerImage adds per-image time and memory next to the per-op figures.
func reportPerImage(b *testing.B, n int) {
	b.StopTimer()
	elapsed := b.Elapsed()
	if b.N > 0 {
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/float64(n), "ns/image")
	}
}
