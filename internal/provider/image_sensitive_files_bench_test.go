package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The performance case of sas_image_sensitive_files with with_files: one
// image with 12 secret types holding 300 files, two of them more than a
// page (150 and 101 files), read at the provider's default max_concurrency.
const (
	perfSecretsUUID   = "u-secrets-perf"
	perfSecretTypes   = 12
	perfSecretFiles   = 300
	perfSecretLatency = 20 * time.Millisecond
)

// perfSecretsSpec gives the first 12 types of the fake's catalogue (all
// high but the last), the two largest first: the listing serves them
// first, so their second pages can go with the other types' first ones.
func perfSecretsSpec() []fakesas.SensitiveFileSpec {
	files := []int{150, 101, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4}
	spec := make([]fakesas.SensitiveFileSpec, perfSecretTypes)
	for k, key := range fakesas.SensitiveFileKeys()[:perfSecretTypes] {
		spec[k] = fakesas.SensitiveFileSpec{Key: key, Files: files[k]}
	}
	return spec
}

func startSecretsPerfFake(tb testing.TB, latency time.Duration) *fakesas.Server {
	tb.Helper()
	image := fakesas.Image{"Uuid": perfSecretsUUID, "Digest": sha256Hex(perfSecretsUUID), "ScaStatus": "SUCCESS", "LastScanTime": int64(1700000000000)}
	fake, err := fakesas.Start(fakesas.Options{Images: []fakesas.Image{image}, Latency: latency,
		SensitiveFiles: map[string][]fakesas.SensitiveFileSpec{sha256Hex(perfSecretsUUID): perfSecretsSpec()}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(fake.Close)
	return fake
}

// secretsPerfClient is a client as the provider configures it by default.
func secretsPerfClient(tb testing.TB, endpoint string) *sasapi.Client {
	tb.Helper()
	return fakeClient(tb, sasapi.Config{Endpoint: endpoint, MaxConcurrency: sasapi.DefaultMaxConcurrency, ReadTimeout: time.Minute})
}

// readImageSensitiveFiles reads m's arguments into m.
func readImageSensitiveFiles(ctx context.Context, client *sasapi.Client, m *imageSensitiveFilesModel) diag.Diagnostics {
	return engineRead(ctx, NewImageSensitiveFilesDataSource().(*dataSource[imageSensitiveFilesModel, sensitiveFilesRequest, sensitiveFilesRead]), client, m)
}

// perfSecretsRead reads the image with its files, the state write
// included, and checks every file came.
func perfSecretsRead(tb testing.TB, client *sasapi.Client) {
	tb.Helper()
	m := &imageSensitiveFilesModel{ImageUUID: types.StringValue(perfSecretsUUID), WithFiles: types.BoolValue(true),
		RiskLevels: types.SetNull(types.StringType), SensitiveFileKeys: types.SetNull(types.StringType)}
	if diags := readImageSensitiveFiles(context.Background(), client, m); diags.HasError() {
		tb.Fatal(diags)
	}
	files := 0
	for _, ty := range m.SensitiveFiles {
		files += len(ty.Files)
	}
	if len(m.SensitiveFiles) != perfSecretTypes || files != perfSecretFiles {
		tb.Fatalf("read %d types and %d files, want %d and %d", len(m.SensitiveFiles), files, perfSecretTypes, perfSecretFiles)
	}
	state := emptyState(tb, NewImageSensitiveFilesDataSource())
	if diags := setState(context.Background(), &state, m); diags.HasError() {
		tb.Fatal(diags)
	}
}

// perfSecretsRequests are the requests of one read: the list, and each
// type's files in ⌈files / 100⌉ pages; pages the most pages of one type.
func perfSecretsRequests() (files, pages int) {
	for _, spec := range perfSecretsSpec() {
		n := (spec.Files + sasapi.MaxPageSize - 1) / sasapi.MaxPageSize
		files += n
		pages = max(pages, n)
	}
	return files, pages
}

// perfSecretsLatencyBound is the least time the read can take at latency
// L with C = the default max_concurrency requests in flight: the list
// call, then the R files requests C at a time, none of a type's later
// pages before its first: L × (1 + max(P, ⌈R / C⌉)), P the most pages of
// one type. Here R = 14, P = 2, C = 10: 3 L = 60 ms.
func perfSecretsLatencyBound() time.Duration {
	files, pages := perfSecretsRequests()
	waves := max(pages, (files+sasapi.DefaultMaxConcurrency-1)/sasapi.DefaultMaxConcurrency)
	return time.Duration(1+waves) * perfSecretLatency
}

// TestSensitiveFilesReadCallCounts: the performance case uses exactly one
// list request and ⌈files / 100⌉ requests for each type's files, each page
// once, paging by the TotalCount the first page reports.
func TestSensitiveFilesReadCallCounts(t *testing.T) {
	fake := startSecretsPerfFake(t, 0)
	perfSecretsRead(t, secretsPerfClient(t, fake.Endpoint()))
	wantFiles, _ := perfSecretsRequests()
	if got := fake.Calls(sasapi.ActionDescribeImageSensitiveFileList); got != 1 {
		t.Errorf("%d list requests, want 1", got)
	}
	if got := fake.Calls(sasapi.ActionDescribeImageSensitiveFileByKey); got != wantFiles {
		t.Errorf("%d files requests, want %d", got, wantFiles)
	}
	pages := map[string]int{}
	for _, r := range fake.Requests() {
		if r.Action == sasapi.ActionDescribeImageSensitiveFileByKey {
			pages[r.Query.Get("SensitiveFileKey")+" page "+r.Query.Get("CurrentPage")]++
		}
	}
	for _, spec := range perfSecretsSpec() {
		for p := 1; p <= (spec.Files+99)/100; p++ {
			if n := pages[fmt.Sprintf("%s page %d", spec.Key, p)]; n != 1 {
				t.Errorf("page %d of %s asked %d times, want once", p, spec.Key, n)
			}
		}
	}
}

// BenchmarkReadImageSensitiveFiles measures the performance case with 20
// ms of latency per request against its latency bound (x-bound is the
// ratio; the target is 1.25 at most): "network" is the client's part, the
// list and the files' listings; "read" is the data source's whole read,
// the conversion and the state write included.
func BenchmarkReadImageSensitiveFiles(b *testing.B) {
	fake := startSecretsPerfFake(b, perfSecretLatency)
	client := secretsPerfClient(b, fake.Endpoint())
	perfSecretsRead(b, client) // warm the connections
	network := func(b *testing.B) {
		ctx := context.Background()
		listing, err := sasapi.List(ctx, client, sasapi.DescribeImageSensitiveFileList, sasapi.SensitiveFileQuery{ImageUuid: perfSecretsUUID, Lang: "en"}, sasapi.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		queries := make([]sasapi.SensitiveFileKeyQuery, len(listing.Items))
		for k, t := range listing.Items {
			queries[k] = sasapi.SensitiveFileKeyQuery{ImageUuid: perfSecretsUUID, SensitiveFileKey: t.SensitiveFileKey.Value, Lang: "en"}
		}
		if _, err := sasapi.ListEach(ctx, client, sasapi.DescribeImageSensitiveFileByKey, queries, sasapi.ListOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	for _, part := range []struct {
		name string
		read func(*testing.B)
	}{{"network", network}, {"read", func(b *testing.B) { perfSecretsRead(b, client) }}} {
		b.Run(part.name, func(b *testing.B) {
			fake.ResetCounters()
			for b.Loop() {
				part.read(b)
			}
			bound := perfSecretsLatencyBound()
			perOp := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(fake.Calls(sasapi.ActionDescribeImageSensitiveFileList))/float64(b.N), "list-calls/op")
			b.ReportMetric(float64(fake.Calls(sasapi.ActionDescribeImageSensitiveFileByKey))/float64(b.N), "file-calls/op")
			b.ReportMetric(float64(perOp.Microseconds())/1000, "ms/op")
			b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
			b.ReportMetric(float64(perOp)/float64(bound), "x-bound")
		})
	}
}
