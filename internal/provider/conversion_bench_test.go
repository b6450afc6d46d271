package provider

import (
	"encoding/json"
	"testing"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// pageBody is a realistic DescribeImageInstances page of n images.
func pageBody(b *testing.B, n int) []byte {
	b.Helper()
	body, err := json.Marshal(map[string]any{
		"RequestId":         "BE120DAB-F4E7-4C53-ADC3-A97578ABF384",
		"PageInfo":          map[string]any{"CurrentPage": 1, "PageSize": n, "TotalCount": n, "Count": n},
		"ImageInstanceList": fakesas.GenerateImages(n, 1),
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkDecodeAndConvertPage measures the provider-side cost per image of
// turning a page body into Terraform values: typed decode, then the images
// list, ids and summary. The target is at most 20 µs and 8 KiB per image.
func BenchmarkDecodeAndConvertPage(b *testing.B) {
	const n = 100
	body := pageBody(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		page, err := sasapi.DecodeImageInstancesPage(body)
		if err != nil {
			b.Fatal(err)
		}
		var m imageInstancesModel
		_ = m.fill(&sasapi.Listing[sasapi.ImageInstance]{Items: page.ImageInstanceList, TotalCount: n})
	}
	reportPerImage(b, n)
}

// reportPerImage adds per-image time and memory next to the per-op figures.
func reportPerImage(b *testing.B, n int) {
	b.StopTimer()
	elapsed := b.Elapsed()
	if b.N > 0 {
		b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/float64(n), "ns/image")
	}
}
