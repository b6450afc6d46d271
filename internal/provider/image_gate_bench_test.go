package provider

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The performance case of sas_image_gate: a release of 10 images with
// every policy block and min_cvss, at the provider's default
// max_concurrency. The images are of one repository, so their rows name
// vulnerabilities of one operating system: 50 unfixed rows each (about
// 520 rows with the fixing and fixed ones) over the 150 names a
// 600-name catalogue has for that system. Their baselines, secrets and
// malware are the fake's, drawn from their digests.
const (
	gateBenchImages    = 10
	gateBenchRows      = 50
	gateBenchCatalogue = 600
	gateBenchLatency   = 20 * time.Millisecond
)

func gateBenchDataset() []fakesas.Image {
	images := make([]fakesas.Image, gateBenchImages)
	for k := range images {
		images[k] = fakesas.Image{
			"Uuid": fmt.Sprintf("6a7e0000-0000-4000-8000-%012d", k), "RepoName": "payments-api", "RepoNamespace": "prod", "Tag": fmt.Sprintf("1.%d.0", k),
			"Digest": fmt.Sprintf("%064x", 0x9a7e0+k), "ScaStatus": "SUCCESS", "LastScanTime": gateAt.Add(-time.Hour).UnixMilli(),
			"VulCount": gateBenchRows, "HcCount": 6 + k%5,
		}
	}
	return images
}

// gateBenchModel is the configuration: the 10 digests, every block.
func gateBenchModel(tb testing.TB, images []fakesas.Image) *imageGateModel {
	tb.Helper()
	digests, diags := types.ListValueFrom(context.Background(), types.StringType, digestsOf(images))
	if diags.HasError() {
		tb.Fatal(diags)
	}
	minCVSS := types.Float64Value(9)
	noSet := types.SetNull(types.StringType)
	return &imageGateModel{
		Digests: digests, ImageUUIDs: types.ListNull(types.StringType), MaxScanAge: types.StringValue("168h"), ExpiryWarning: types.StringNull(),
		At:              timetypes.NewRFC3339TimeValue(gateAt),
		Vulnerabilities: &gateVulnsModel{Necessities: noSet, OnlyFixable: types.BoolNull(), MinCVSS: minCVSS, AllowUnknownSeverity: types.BoolNull()},
		Baselines:       &gateLevelsModel{Levels: noSet}, SensitiveFiles: &gateRiskLevelsModel{RiskLevels: noSet}, MaliciousFiles: &gateLevelsModel{Levels: noSet},
	}
}

func gateBenchClient(tb testing.TB, endpoint string) *sasapi.Client {
	tb.Helper()
	return fakeClient(tb, sasapi.Config{Endpoint: endpoint, ReadTimeout: time.Minute})
}

// gateBenchRead reads as the data source's Read does, the state write
// included, with a provider configuration of its own (an empty CVE cache).
func gateBenchRead(tb testing.TB, client *sasapi.Client, images []fakesas.Image) *imageGateModel {
	tb.Helper()
	ds := NewImageGateDataSource().(*dataSource[imageGateModel, gateRequest, gateResult])
	m := gateBenchModel(tb, images)
	if diags := engineRead(context.Background(), ds, client, m); diags.HasError() {
		tb.Fatal(diags)
	}
	state := emptyState(tb, ds)
	if diags := setState(context.Background(), &state, m); diags.HasError() {
		tb.Fatal(diags)
	}
	return m
}

// gateCallGraph is what a gate read asks of the service: the calls of
// each action, and the shape its latency bound depends on.
type gateCallGraph struct {
	calls     map[string]int
	total     int
	listPages int // DescribeImageVulList pages
	names     int // DescribeVulDetails lookups
}

func callGraphOf(fake *fakesas.Server, reads int) gateCallGraph {
	g := gateCallGraph{calls: map[string]int{}}
	for _, action := range append([]string{"DescribeImageInstances"}, categoryActions...) {
		g.calls[action] = fake.Calls(action) / reads
		g.total += g.calls[action]
	}
	g.listPages, g.names = g.calls["DescribeImageVulList"], g.calls["DescribeVulDetails"]
	return g
}

// latencyBound is the least time any schedule of the calls needs when
// each takes latency and at most concurrency are in flight: the image
// listing alone, then the larger of the vulnerability chain (the listing's
// first page, its other pages, then the lookups, each phase in waves of
// concurrency) and all the other calls in waves of concurrency.
func (g gateCallGraph) latencyBound(latency time.Duration, concurrency int) time.Duration {
	waves := func(n int) float64 { return math.Ceil(float64(n) / float64(concurrency)) }
	chain := 1 + waves(g.listPages-1) + waves(g.names)
	work := waves(g.total - 1)
	return time.Duration(1+math.Max(chain, work)) * latency
}

// The performance case's dataset and call graph: one image listing, one
// vulnerability listing of about 520 rows, each of about 150 names looked
// up once, one baseline, secret and two malware listings per image, the
// check items of its high baselines, the files of its secret types.
func TestGateBenchCallGraph(t *testing.T) {
	images := gateBenchDataset()
	fake := startFake(t, fakesas.Options{Images: images, VulnerabilityCatalogue: gateBenchCatalogue})
	rows, names := 0, map[string]bool{}
	var highBaselines, secretPages, withSecrets, withMalware int
	for _, img := range images {
		uuid := field(img, "Uuid")
		for _, r := range fake.VulnerabilityRows(uuid) {
			rows++
			names[fmt.Sprint(r["Name"])] = true
		}
		for _, b := range fakesas.ImageBaselines(img) {
			if b.Level == "high" {
				highBaselines++
			}
		}
		for _, s := range fake.SensitiveFileTypes(uuid) {
			secretPages += (len(s.Files) + 99) / 100
		}
		if len(fake.SensitiveFileTypes(uuid)) > 0 {
			withSecrets++
		}
		if len(fake.MaliciousFiles(uuid)) > 0 {
			withMalware++
		}
	}
	if rows < 500 || rows > 540 || len(names) < 140 || len(names) > 150 || highBaselines == 0 || withSecrets == 0 {
		t.Fatalf("%d rows naming %d vulnerabilities, %d high baselines, %d images with secrets, %d with malware: not the performance case",
			rows, len(names), highBaselines, withSecrets, withMalware)
	}
	gateBenchRead(t, gateBenchClient(t, fake.Endpoint()), images)
	want := map[string]int{
		"DescribeImageInstances": 1, "DescribeImageVulList": (rows + sasapi.MaxPageSize - 1) / sasapi.MaxPageSize, "DescribeVulDetails": len(names),
		"DescribeImageBaselineCheckResult": gateBenchImages, "DescribeImageBaselineItemList": highBaselines,
		"DescribeImageSensitiveFileList": gateBenchImages, "DescribeImageSensitiveFileByKey": secretPages,
		"DescribeAffectedMaliciousFileImages": gateBenchImages, "DescribeGroupedMaliciousFiles": gateBenchImages,
	}
	g := callGraphOf(fake, 1)
	for action, n := range want {
		if g.calls[action] != n {
			t.Errorf("%d %s calls, want %d", g.calls[action], action, n)
		}
	}
	t.Logf("calls %v; latency bound at 20 ms and concurrency %d: %v", g.calls, sasapi.DefaultMaxConcurrency, g.latencyBound(gateBenchLatency, sasapi.DefaultMaxConcurrency))
}

// BenchmarkReadImageGate measures the performance case with 20 ms of
// latency per request against its call graph's latency bound (x-bound
// is the ratio; the target is 1.3 at most), with the calls of each
// action per read.
func BenchmarkReadImageGate(b *testing.B) {
	images := gateBenchDataset()
	fake, err := fakesas.Start(fakesas.Options{Images: images, VulnerabilityCatalogue: gateBenchCatalogue, Latency: gateBenchLatency})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(fake.Close)
	client := gateBenchClient(b, fake.Endpoint())
	gateBenchRead(b, client, images) // warm the connections
	fake.ResetCounters()
	for b.Loop() {
		gateBenchRead(b, client, images)
	}
	g := callGraphOf(fake, b.N)
	bound := g.latencyBound(gateBenchLatency, sasapi.DefaultMaxConcurrency)
	perOp := b.Elapsed() / time.Duration(b.N)
	for _, action := range slices.Sorted(maps.Keys(g.calls)) {
		b.ReportMetric(float64(g.calls[action]), action+"/op")
	}
	b.ReportMetric(float64(g.total), "calls/op")
	b.ReportMetric(float64(perOp.Milliseconds()), "ms/op")
	b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
	b.ReportMetric(float64(perOp)/float64(bound), "x-bound")
}
