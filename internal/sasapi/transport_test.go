package sasapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// The standard proxy variables route requests through the proxy. The
// endpoint's host name does not resolve: only the proxy can reach it.
func TestProxyEnvironmentVariablesAreHonoured(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1)})
	target, err := url.Parse("http://" + fake.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	var proxied atomic.Int64
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		if r.URL.Host != "sas.proxy-test.invalid" {
			t.Errorf("proxy asked for %q", r.URL.Host)
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	c := clientFor(t, "sas.proxy-test.invalid", func(cfg *Config) { cfg.MaxRetries = 0 })
	page, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})
	if err != nil {
		t.Fatalf("request through the proxy: %v", err)
	}
	if len(page.Items) != 3 || proxied.Load() != 1 {
		t.Fatalf("got %d images through %d proxied requests, want 3 through 1", len(page.Items), proxied.Load())
	}

	// NO_PROXY exempts a host; checked on the proxy choice itself, so the
	// unresolvable name is never looked up.
	t.Setenv("NO_PROXY", "sas.proxy-test.invalid")
	hc, err := NewHTTPClient(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://sas.proxy-test.invalid/", nil)
	if u, err := hc.Transport.(*http.Transport).Proxy(req); err != nil || u != nil {
		t.Fatalf("with NO_PROXY the proxy is %v (%v), want none", u, err)
	}
}
