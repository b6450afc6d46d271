package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/credentials-go/credentials"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The silent page cap and the TotalCount override are reachable from the
// command line, for demos of the client against a misbehaving service.
func TestRunServesASilentCapAndALowTotalCount(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "endpoint")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-ready-file", ready, "-dataset", "generated", "-images", "50",
			"-max-page-size", "30", "-page-size-report", "omitted", "-total-count", "10"}, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	endpoint := waitForFile(t, ready, done)

	cred, err := credentials.NewCredential(&credentials.Config{Type: tea.String("access_key"),
		AccessKeyId: tea.String(fakesas.TestAccessKey), AccessKeySecret: tea.String(fakesas.TestSecretKey)})
	if err != nil {
		t.Fatal(err)
	}
	hc, err := sasapi.NewHTTPClient(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hc.CloseIdleConnections() // for goleak
	c, err := sasapi.New(sasapi.Config{Endpoint: endpoint, Protocol: "HTTP", Credential: cred, HTTPClient: hc, MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	listing, err := sasapi.List(ctx, c, sasapi.DescribeImageInstances, sasapi.ImageQuery{}, sasapi.ListOptions{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if listing.TotalCount != 10 || len(listing.Items) != 30 || listing.Requests != 1 {
		t.Errorf("TotalCount %d, %d images in %d requests; want TotalCount 10, 30 images in one request", listing.TotalCount, len(listing.Items), listing.Requests)
	}
	page, err := sasapi.Call(ctx, c, sasapi.DescribeImageInstances, sasapi.ImageQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if page.PageSize.Valid {
		t.Errorf("PageSize %+v, want none: the cap is silent", page.PageSize)
	}
}
