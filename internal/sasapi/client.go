// Package sasapi is a client for the Alibaba Cloud Security Center (SAS)
// image APIs over the official generic OpenAPI client. It owns the parts the
// generic client gets wrong for a Terraform provider: typed, tolerant
// decoding; retries with backoff and cancellation; concurrency safety; and
// paging that is complete or fails loudly. It knows nothing about Terraform.
package sasapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/credentials-go/credentials"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultReadTimeout    = 30 * time.Second
	DefaultRetryTimeout   = 2 * time.Minute
	DefaultMaxRetries     = 5
	DefaultBackoffBase    = 200 * time.Millisecond
	DefaultBackoffMax     = 10 * time.Second
	// DefaultMaxConcurrency is 10: at 20 ms per request it reads 10,000
	// images (100 pages) in about 11 round trips, over 25 times faster than
	// one 20-image page at a time; and it is small enough that the burst
	// before the first throttling costs few throttled requests.
	DefaultMaxConcurrency = 10
	// maxResponseBytes bounds what one response may make us hold in memory.
	maxResponseBytes = 64 << 20
)

// Config configures a Client.
type Config struct {
	// Endpoint is host[:port]; see ResolveEndpoint.
	Endpoint string
	// Protocol is "HTTPS" (default) or "HTTP".
	Protocol   string
	Credential credentials.Credential
	// HTTPClient sends the requests; its Transport decides proxies and TLS.
	// Nil means NewHTTPClient(ConnectTimeout, nil). Redirects are never
	// followed, whatever its CheckRedirect says.
	HTTPClient     *http.Client
	ConnectTimeout time.Duration
	// ReadTimeout bounds one request, from sending to the last byte of the body.
	ReadTimeout time.Duration
	// MaxRetries is how many times a retryable failure is retried; 0 disables
	// retries. Use a negative value for the default.
	MaxRetries int
	// RetryTimeout bounds the total time spent on one call including retries.
	RetryTimeout time.Duration
	BackoffBase  time.Duration
	BackoffMax   time.Duration
	// MaxConcurrency bounds the requests the client has in flight, every
	// listing and call together; throttling lowers it for a while.
	MaxConcurrency int
	UserAgent      string
}

// Client calls the SAS API. It is safe for concurrent use: each request gets
// its own generic client, because that one is not. Every call of one Client
// shares its limits: the requests in flight (Config.MaxConcurrency, lowered
// while the service throttles) and, per action, the pace learnt from
// throttling. Make one Client per account and share it.
type Client struct {
	cfg      Config
	inflight *concurrencyLimiter
	pacers   *pacers
}

// New validates cfg, applies defaults and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("sasapi: endpoint is required")
	}
	if cfg.Credential == nil {
		return nil, errors.New("sasapi: credential is required")
	}
	switch strings.ToUpper(cfg.Protocol) {
	case "":
		cfg.Protocol = "HTTPS"
	case "HTTP", "HTTPS":
		cfg.Protocol = strings.ToUpper(cfg.Protocol)
	default:
		return nil, fmt.Errorf("sasapi: protocol must be HTTP or HTTPS, got %q", cfg.Protocol)
	}
	applyDefaults(&cfg)
	if cfg.HTTPClient == nil {
		hc, err := NewHTTPClient(cfg.ConnectTimeout, nil)
		if err != nil {
			return nil, err
		}
		cfg.HTTPClient = hc
	}
	cfg.HTTPClient = refuseRedirects(cfg.HTTPClient)
	return &Client{cfg: cfg, inflight: newConcurrencyLimiter(cfg.MaxConcurrency), pacers: newPacers(time.Now)}, nil
}

func applyDefaults(cfg *Config) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.RetryTimeout <= 0 {
		cfg.RetryTimeout = DefaultRetryTimeout
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = DefaultBackoffBase
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = DefaultBackoffMax
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
}

// ErrRetryBudgetExhausted marks a call that stopped retrying because the
// next wait would pass RetryTimeout; the last failure is wrapped with it.
var ErrRetryBudgetExhausted = errors.New("retry time budget exhausted")

// retryObserver is told about every failed attempt that will be retried.
type retryObserver func(err error)

// call sends one action with retries and returns the body of the 2xx answer.
// Each attempt first waits for its turn (see admit); that wait does not
// count against RetryTimeout.
func (c *Client) call(ctx context.Context, action string, query map[string]string, observe retryObserver, decode func([]byte) error) error {
	deadline := time.Now().Add(c.cfg.RetryTimeout)
	pacer := c.pacers.forAction(action)
	for attempt := 1; ; attempt++ {
		sent, waited, err := c.admit(ctx, pacer)
		if err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		deadline = deadline.Add(waited)
		err = c.attempt(ctx, action, query, decode)
		c.settle(pacer, sent, err)
		if err == nil {
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("%s: %w", action, ctxErr)
		}
		if !IsRetryable(err) || attempt > c.cfg.MaxRetries {
			setAttempts(err, attempt)
			return err
		}
		wait := c.backoff(attempt, err)
		if time.Now().Add(wait).After(deadline) {
			setAttempts(err, attempt)
			return fmt.Errorf("%w (%s): %w", ErrRetryBudgetExhausted, c.cfg.RetryTimeout, err)
		}
		if observe != nil {
			observe(err)
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
	}
}

// admit waits for a free slot among the client's requests in flight, then
// for the action's pace. It returns when the request may be sent (on the
// pacer's clock) and how long the caller waited.
func (c *Client) admit(ctx context.Context, pacer *ratePacer) (time.Time, time.Duration, error) {
	start := time.Now()
	if err := c.inflight.acquire(ctx); err != nil {
		return time.Time{}, 0, err
	}
	sent, _, err := pacer.wait(ctx)
	if err != nil {
		c.inflight.release(false)
		return time.Time{}, 0, err
	}
	return sent, time.Since(start), nil
}

// settle tells the limits how the request went, then frees the slot admit
// took: throttling lowers the pace and the requests in flight, once per
// episode, and a Retry-After (at most BackoffMax, as for the retry itself)
// holds back every request of the action; any other answer from the
// service counts as admitted. The slot is freed last so that a request
// waiting for it is paced by what this answer taught.
func (c *Client) settle(pacer *ratePacer, sent time.Time, err error) {
	defer c.inflight.release(err == nil)
	switch {
	case IsThrottling(err):
		if pacer.throttled(sent, min(retryAfter(err), c.cfg.BackoffMax)) {
			c.inflight.throttled()
		}
	case err == nil || reachedService(err):
		pacer.answered(sent)
	default:
		pacer.dropped(sent)
	}
}

// retryAfter is the server's Retry-After hint carried by err, or 0.
func retryAfter(err error) time.Duration {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}

// reachedService reports whether a failed request got an answer from the
// service, so that it counted against the service's rate.
func reachedService(err error) bool {
	var apiErr *APIError
	var decodeErr *DecodeError
	return errors.As(err, &apiErr) || errors.As(err, &decodeErr)
}

// backoff is exponential with full jitter, or the server's Retry-After when
// it sent one.
func (c *Client) backoff(attempt int, err error) time.Duration {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return min(apiErr.RetryAfter, c.cfg.BackoffMax)
	}
	ceiling := min(c.cfg.BackoffBase<<min(attempt-1, 20), c.cfg.BackoffMax)
	if ceiling <= 0 { // the shift overflowed
		ceiling = c.cfg.BackoffMax
	}
	return ceiling/2 + rand.N(ceiling/2+1)
}

// sleep waits d, or less if ctx ends first; it reports ctx's error either
// way, so a cancelled caller never sees a completed wait.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	return ctx.Err()
}

// rpcParams are exactly what the official SDK sends for these RPC actions.
// BodyType "binary" hands us the raw body: the generic JSON path decodes
// into maps at several times the cost of a typed decode.
func rpcParams(action string) *openapi.Params {
	return &openapi.Params{
		Action:      dara.String(action),
		Version:     dara.String(APIVersion),
		Protocol:    dara.String("HTTPS"),
		Pathname:    dara.String("/"),
		Method:      dara.String("POST"),
		AuthType:    dara.String("AK"),
		Style:       dara.String("RPC"),
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("binary"),
	}
}

// attempt sends one request. The generic client signs it and sends it
// through a bufferingHTTPClient, so that the status, headers and body are
// ours to interpret whatever the generic client makes of them.
func (c *Client) attempt(ctx context.Context, action string, query map[string]string, decode func([]byte) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ReadTimeout)
	defer cancel()

	// No timeouts here: the generic client would only set them on a
	// transport that bufferingHTTPClient ignores. The context bounds the
	// attempt; ConnectTimeout is in the HTTP client's dialer.
	rec := &bufferingHTTPClient{ctx: ctx, client: c.cfg.HTTPClient}
	oc, err := openapi.NewClient(&openapi.Config{
		Endpoint:   dara.String(c.cfg.Endpoint),
		Protocol:   dara.String(c.cfg.Protocol),
		Credential: c.cfg.Credential,
		HttpClient: rec,
		UserAgent:  dara.String(c.cfg.UserAgent),
	})
	if err != nil {
		return fmt.Errorf("%s: creating client: %w", action, err)
	}
	q := make(map[string]*string, len(query))
	for k, v := range query {
		q[k] = dara.String(v)
	}
	_, callErr := oc.CallApi(rpcParams(action), &openapi.OpenApiRequest{Query: q}, &dara.RuntimeOptions{})

	if rec.err != nil {
		return &TransportError{Action: action, Timeout: isTimeout(ctx, rec.err), Err: rec.err}
	}
	if rec.status == 0 && callErr != nil {
		// The request never left: typically no usable credential.
		return &CredentialError{Action: action, Err: callErr}
	}
	if rec.status < 200 || rec.status >= 300 {
		if isRedirect(rec.status) {
			return newRedirectError(action, c.cfg, rec.status, rec.header)
		}
		return parseErrorResponse(action, rec.status, rec.header, rec.body)
	}
	if err := decode(rec.body); err != nil {
		var refused *APIError
		if errors.As(err, &refused) { // an answer that says it failed
			refused.Action, refused.HTTPStatus = action, rec.status
			refused.RequestID = cmp.Or(refused.RequestID, rec.header.Get("x-acs-request-id"))
			return refused
		}
		return &DecodeError{Action: action, RequestID: rec.header.Get("x-acs-request-id"), Err: err}
	}
	return nil
}

// CredentialError means no request was sent because no credential could be
// obtained (none configured, or the credential provider failed).
type CredentialError struct {
	Action string
	Err    error
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("%s: no usable credential: %v", e.Action, e.Err)
}

func (e *CredentialError) Unwrap() error { return e.Err }

func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// CloseIdleConnections closes the keep-alive connections the client holds,
// for callers that are done with it.
func (c *Client) CloseIdleConnections() { c.cfg.HTTPClient.CloseIdleConnections() }
