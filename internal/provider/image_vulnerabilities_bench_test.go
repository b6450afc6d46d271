package provider

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The performance case of sas_image_vulnerabilities: 100 images with 50
// unfixed rows each (5,000 rows) whose names are 300 distinct
// vulnerabilities, read with with_cve_details at max_concurrency 8.
const (
	perfImages      = 100
	perfRows        = 50
	perfNames       = 300
	perfConcurrency = 8
	perfLatency     = 20 * time.Millisecond
)

// perfImagesDataset spreads the images over repositories, so their rows
// cover the four operating systems of the fake's 300-name catalogue.
func perfImagesDataset() []fakesas.Image {
	images := make([]fakesas.Image, perfImages)
	for k := range images {
		images[k] = fakesas.Image{
			"Uuid": fmt.Sprintf("00000000-0000-4000-8000-%012d", k), "RepoName": fmt.Sprintf("repo-%d", k%12),
			"ScaStatus": "SUCCESS", "LastScanTime": int64(1700000000000), "VulCount": perfRows,
		}
	}
	return images
}

func perfClient(tb testing.TB, endpoint string) *sasapi.Client {
	tb.Helper()
	return fakeClient(tb, sasapi.Config{Endpoint: endpoint, MaxConcurrency: perfConcurrency, ReadTimeout: time.Minute})
}

// perfModel is the configuration: the 100 images, unfixed rows, details.
func perfModel(tb testing.TB, images []fakesas.Image) *imageVulnerabilitiesModel {
	tb.Helper()
	uuids, diags := types.ListValueFrom(context.Background(), types.StringType, imageUUIDs(images))
	statuses, more := types.SetValueFrom(context.Background(), types.StringType, []string{"unfixed"})
	if diags.Append(more...); diags.HasError() {
		tb.Fatal(diags)
	}
	return &imageVulnerabilitiesModel{ImageUUIDs: uuids, Statuses: statuses, Necessities: types.SetNull(types.StringType), WithCVEDetails: types.BoolValue(true)}
}

// perfRead reads as the data source's Read does, the state write included.
func perfRead(tb testing.TB, client *sasapi.Client, images []fakesas.Image) *imageVulnerabilitiesModel {
	tb.Helper()
	m := perfModel(tb, images)
	if diags := readImageVulnerabilities(context.Background(), client, m); diags.HasError() {
		tb.Fatal(diags)
	}
	if n := len(m.Vulnerabilities); n != perfImages*perfRows {
		tb.Fatalf("read %d rows, want %d", n, perfImages*perfRows)
	}
	state := emptyState(tb, NewImageVulnerabilitiesDataSource())
	if diags := setState(context.Background(), &state, m); diags.HasError() {
		tb.Fatal(diags)
	}
	return m
}

// perfLatencyBound is the time the reads need at the network's latency:
// the first page, the other pages in waves of max_concurrency, then the
// lookups in waves of max_concurrency.
func perfLatencyBound(pages int) time.Duration {
	waves := 1 + math.Ceil(float64(pages-1)/perfConcurrency) + math.Ceil(float64(perfNames)/perfConcurrency)
	return time.Duration(waves) * perfLatency
}

// TestVulnerabilityReadCallCounts: the performance case uses exactly
// ⌈rows / page size⌉ list requests (one batch: 100 Uuids) and one lookup per
// distinct name.
func TestVulnerabilityReadCallCounts(t *testing.T) {
	images := perfImagesDataset()
	fake := startFake(t, fakesas.Options{Images: images, VulnerabilityCatalogue: perfNames})
	names := map[string]bool{}
	for _, r := range rowsOf(fake, images) {
		if status, _ := wireInt(r["Status"]); status == 1 {
			names[fmt.Sprint(r["Name"])] = true
		}
	}
	if len(names) != perfNames {
		t.Fatalf("the dataset's unfixed rows name %d vulnerabilities, want %d", len(names), perfNames)
	}
	perfRead(t, perfClient(t, fake.Endpoint()), images)
	wantList := (perfImages*perfRows + sasapi.MaxPageSize - 1) / sasapi.MaxPageSize
	if got := fake.Calls(listAction); got != wantList {
		t.Errorf("%d %s requests, want %d", got, listAction, wantList)
	}
	if got := fake.Calls(detailsAction); got != perfNames {
		t.Errorf("%d %s requests, want %d", got, detailsAction, perfNames)
	}
	c := countVulCalls(fake, "")
	for name := range names {
		if c.byName[name] != 1 {
			t.Errorf("%s looked up %d times", name, c.byName[name])
		}
	}
}

// BenchmarkReadImageVulnerabilities measures the performance case with
// 20 ms of latency per request against its latency bound (x-bound is the
// ratio; the target is 1.25 at most): "network" is the client's part, the
// listing and the lookups; "read" is the data source's whole read, the
// conversion to Terraform values included.
func BenchmarkReadImageVulnerabilities(b *testing.B) {
	images := perfImagesDataset()
	fake, err := fakesas.Start(fakesas.Options{Images: images, VulnerabilityCatalogue: perfNames, Latency: perfLatency})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(fake.Close)
	client := perfClient(b, fake.Endpoint())
	perfRead(b, client, images) // warm the connections
	network := func(b *testing.B) {
		listing, err := sasapi.List(context.Background(), client, sasapi.DescribeImageVulList, sasapi.ImageVulQuery{Uuids: imageUUIDs(images), StatusList: "1", Lang: "en"}, sasapi.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		names := make([]string, len(listing.Items))
		for k := range listing.Items {
			names[k] = listing.Items[k].Name.Value
		}
		if _, err := sasapi.LookupVulDetails(context.Background(), client, names, sasapi.VulDetailsOptions{Lang: "en"}); err != nil {
			b.Fatal(err)
		}
	}
	for name, read := range map[string]func(*testing.B){"network": network, "read": func(b *testing.B) { perfRead(b, client, images) }} {
		b.Run(name, func(b *testing.B) {
			fake.ResetCounters()
			for b.Loop() {
				read(b)
			}
			pages := (perfImages*perfRows + sasapi.MaxPageSize - 1) / sasapi.MaxPageSize
			bound := perfLatencyBound(pages)
			perOp := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(fake.Calls(listAction))/float64(b.N), "list-calls/op")
			b.ReportMetric(float64(fake.Calls(detailsAction))/float64(b.N), "detail-calls/op")
			b.ReportMetric(float64(perOp.Milliseconds()), "ms/op")
			b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
			b.ReportMetric(float64(perOp)/float64(bound), "x-bound")
		})
	}
}

// BenchmarkConvertVulnerabilities measures the conversion of the 5,000
// rows with their details to Terraform values, without any network: the
// flattening into the model and its state write.
func BenchmarkConvertVulnerabilities(b *testing.B) {
	images := perfImagesDataset()
	fake, err := fakesas.Start(fakesas.Options{Images: images, VulnerabilityCatalogue: perfNames})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(fake.Close)
	client := perfClient(b, fake.Endpoint())
	listing, err := sasapi.List(context.Background(), client, sasapi.DescribeImageVulList, sasapi.ImageVulQuery{Uuids: imageUUIDs(images), StatusList: "1", Lang: "en"}, sasapi.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, len(listing.Items))
	for k := range listing.Items {
		names[k] = listing.Items[k].Name.Value
	}
	cves, err := sasapi.LookupVulDetails(context.Background(), client, names, sasapi.VulDetailsOptions{Lang: "en"})
	if err != nil {
		b.Fatal(err)
	}
	m := perfModel(b, images)
	b.ReportAllocs()
	for b.Loop() {
		details := make(map[string]vulNameDetails, len(cves))
		for name, list := range cves {
			details[name] = convertNameDetails(list)
		}
		m.Vulnerabilities = make([]vulnerabilityModel, len(listing.Items))
		for k := range listing.Items {
			m.Vulnerabilities[k] = flattenVulnerability(&listing.Items[k], details, true)
		}
		m.Summary = summariseVulnerabilities(m.Vulnerabilities, true)
		state := emptyState(b, NewImageVulnerabilitiesDataSource())
		if diags := setState(context.Background(), &state, m); diags.HasError() {
			b.Fatal(diags)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(listing.Items)), "us/row")
}
