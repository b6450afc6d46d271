package sasapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/credentials-go/credentials"
	"go.uber.org/goleak"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// listing, retry loop and cancelled request must clean up after itself.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// staticCredential is an access key credential as the provider builds it.
func staticCredential(t testing.TB, accessKeyID, secret string) credentials.Credential {
	t.Helper()
	cred, err := credentials.NewCredential(&credentials.Config{
		Type:            tea.String("access_key"),
		AccessKeyId:     tea.String(accessKeyID),
		AccessKeySecret: tea.String(secret),
	})
	if err != nil {
		t.Fatalf("building credential: %v", err)
	}
	return cred
}

// startFake serves a fake SAS endpoint for the duration of the test.
func startFake(t testing.TB, opts fakesas.Options) *fakesas.Server {
	t.Helper()
	fake, err := fakesas.Start(opts)
	if err != nil {
		t.Fatalf("starting fake: %v", err)
	}
	t.Cleanup(fake.Close)
	return fake
}

// testConfig is a client configuration for a local endpoint with the test
// key: fast backoff, a few retries and a read timeout generous enough for a
// loaded 2-core machine running -race.
func testConfig(t testing.TB, endpoint string) Config {
	return Config{
		Endpoint:    endpoint,
		Protocol:    "HTTP",
		Credential:  staticCredential(t, fakesas.TestAccessKey, fakesas.TestSecretKey),
		MaxRetries:  3,
		BackoffBase: time.Millisecond,
		BackoffMax:  20 * time.Millisecond,
		ReadTimeout: time.Minute, // generous: a loaded machine must not turn into retries
	}
}

// newClient builds a client from cfg and closes its idle keep-alive
// connections when the test ends, so goleak sees no transport goroutines.
func newClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Config().HTTPClient.CloseIdleConnections)
	return c
}

// clientFor is newClient(testConfig(endpoint)) with adjustments.
func clientFor(t testing.TB, endpoint string, adjust ...func(*Config)) *Client {
	t.Helper()
	cfg := testConfig(t, endpoint)
	for _, f := range adjust {
		f(&cfg)
	}
	return newClient(t, cfg)
}

func withMaxRetries(n int) func(*Config) { return func(c *Config) { c.MaxRetries = n } }

// ownDeadline is a context that ends after d, far below the suite's
// timeout: a bound under test that does not hold fails the test in seconds
// instead of waiting out the fake's delays.
func ownDeadline(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func withReadTimeout(d time.Duration) func(*Config) { return func(c *Config) { c.ReadTimeout = d } }

// recordingFake serves a fakesas.Server (not started by fakesas.Start)
// through httptest and remembers the x-acs-request-id of every answer, so a
// test can tell which response an error came from.
type recordingFake struct {
	*fakesas.Server
	srv *httptest.Server

	mu  sync.Mutex
	ids []string
}

func startRecordingFake(t testing.TB, opts fakesas.Options) *recordingFake {
	t.Helper()
	rf := &recordingFake{Server: fakesas.New(opts)}
	rf.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rf.ServeHTTP(w, r)
		rf.mu.Lock()
		rf.ids = append(rf.ids, w.Header().Get("x-acs-request-id"))
		rf.mu.Unlock()
	}))
	t.Cleanup(func() {
		rf.srv.Close()
		rf.Close() // the embedded fake
	})
	return rf
}

func (rf *recordingFake) Endpoint() string { return strings.TrimPrefix(rf.srv.URL, "http://") }

func (rf *recordingFake) requestIDs() []string {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	return append([]string(nil), rf.ids...)
}

// stubServer answers every request with handler; it does not check
// signatures. It is for answers the fake cannot produce.
func stubServer(t testing.TB, handler http.HandlerFunc) (endpoint string, calls func() int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// uuids lists the Uuid of each image, in order.
func uuids(images []ImageInstance) []string {
	out := make([]string, len(images))
	for i, img := range images {
		out[i] = img.Uuid.Value
	}
	return out
}

// fakeUUIDs lists the Uuid of each wire image, in order.
func fakeUUIDs(images []fakesas.Image) []string {
	out := make([]string, len(images))
	for i, img := range images {
		out[i], _ = img["Uuid"].(string)
	}
	return out
}
