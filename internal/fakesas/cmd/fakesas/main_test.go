package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRunServesUntilCancelled(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "endpoint")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-ready-file", ready, "-images", "50", "-latency", "1ms", "-seed", "3"}, &stdout, io.Discard)
	}()
	endpoint := waitForFile(t, ready, done)
	if !strings.HasPrefix(endpoint, "127.0.0.1:") {
		t.Fatalf("endpoint %q", endpoint)
	}
	conn, err := net.DialTimeout("tcp", endpoint, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", endpoint, err)
	}
	conn.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	out := stdout.String()
	for _, want := range []string{"serving 94 images on " + endpoint, "SAS_ENDPOINT=" + endpoint, "served 0 requests, 0 refused by the QPS limit",
		"ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI-fake-access-key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=fake-secret-key-do-not-use"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

// waitForFile polls for the ready file, failing early if run returns.
func waitForFile(t *testing.T, path string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil {
			return string(b)
		}
		select {
		case err := <-done:
			t.Fatalf("run returned before ready: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("ready file never appeared")
	return ""
}

func TestRunRejectsBadFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"non-loopback", []string{"-listen", "0.0.0.0:0"}, "non-loopback"},
		{"all interfaces", []string{"-listen", ":0"}, "non-loopback"},
		{"unknown dataset", []string{"-dataset", "huge"}, "unknown -dataset"},
		{"generated without size", []string{"-dataset", "generated"}, "-images"},
		{"negative images", []string{"-images", "-1"}, "-images"},
		{"bad page size", []string{"-max-page-size", "0"}, "-max-page-size"},
		{"negative qps", []string{"-qps", "-1"}, "-qps"},
		{"unknown page size report", []string{"-page-size-report", "sometimes"}, "sometimes"},
		{"negative total count", []string{"-total-count", "-1"}, "-total-count"},
		{"stray argument", []string{"extra"}, "unexpected arguments"},
		{"unknown flag", []string{"-nope"}, "nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestBuildDataset(t *testing.T) {
	now := time.Now()
	cases := []struct {
		c    config
		want int
	}{
		{config{dataset: "demo"}, 44},
		{config{dataset: "demo", images: 10}, 54},
		{config{dataset: "generated", images: 25, seed: 2}, 25},
	}
	for _, tc := range cases {
		images, err := buildDataset(tc.c, now)
		if err != nil || len(images) != tc.want {
			t.Errorf("%+v: %d images, %v", tc.c, len(images), err)
		}
	}
}
