package fakesas

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Test credentials accepted when Options.Credentials is nil.
const (
	TestAccessKey = "LTAI-fake-access-key"
	TestSecretKey = "fake-secret-key-do-not-use"
)

// apiVersion is the only API version the fake serves.
const apiVersion = "2018-12-03"

// maxBodyBytes bounds what the fake reads of a request body; RPC calls put
// their parameters in the query, so bodies are empty in practice.
const maxBodyBytes = 1 << 20

// shutdownGrace bounds how long Close lets connections finish what they
// are writing. Handlers are woken and waited for apart (see Close), so the
// grace only covers answers being flushed; net/http would otherwise wait
// five seconds for every connection that has not sent a request yet.
const shutdownGrace = 250 * time.Millisecond

// Image is one wire-level record, keyed by API field name, served verbatim so
// that tests can reproduce quirks (numbers as strings, missing fields, nulls).
type Image map[string]any

// Credential is what the fake knows about one AccessKeyId.
type Credential struct {
	Secret string
	// SecurityToken, when non-empty, must arrive as x-acs-security-token.
	SecurityToken string
	// Expired makes the STS token rejected with InvalidSecurityToken.Expired.
	Expired bool
	// Denied authenticates the caller but answers 403 NoPermission.
	Denied bool
}

// Options configures a Server.
type Options struct {
	Images []Image
	// Criteria is served by DescribeImageCriteria; nil means DefaultCriteria().
	Criteria []CriteriaEntry
	// Credentials maps AccessKeyId to credential; nil means TestAccessKey/TestSecretKey.
	Credentials map[string]Credential
	// MaxPageSize caps PageSize silently; 0 means 100.
	MaxPageSize int
	// PageSizeReport is what PageInfo.PageSize says: the size served (the
	// default) or, for a cap the service keeps silent, the size requested
	// or nothing.
	PageSizeReport PageSizeReport
	// Latency is added to every request.
	Latency time.Duration
	// Seed drives fault injection and request ids deterministically.
	Seed int64
	// SubstringCriteria makes a criterion match an image whose field
	// contains its value, not only one equal to it. The service does not
	// document how it matches; this lets tests show a client copes with
	// loose matching (repoName "payments-api" also finding "payments-api-v2").
	SubstringCriteria bool
	// Scan configures image scan tasks (see scan.go).
	Scan ScanOptions
	// VulnerabilityCatalogue is the number of distinct vulnerability names
	// rows are drawn from; 0 means DefaultVulnerabilityCatalogue.
	VulnerabilityCatalogue int
	// QPS limits each action to this many requests a second (see SetQPS);
	// 0 means no limit.
	QPS float64
	// SensitiveFiles gives the secret types of the scanned images whose
	// content (Digest, else Uuid) is a key, instead of drawing them, for
	// a shape the drawing never makes (many types of many files). A key
	// SensitiveFileKeys lacks is left out.
	SensitiveFiles map[string][]SensitiveFileSpec
}

// RecordedRequest is what the fake saw of one request and how it answered.
type RecordedRequest struct {
	Action      string
	Query       url.Values
	Status      int    // HTTP status answered; 0 for a reset connection or a client that went away
	Fault       string // injected FaultKind, "" if none
	AccessKeyID string
	RateLimited bool // refused by the QPS limit (Options.QPS)
}

// Server is the fake SAS endpoint. It is an http.Handler; Start also serves
// it on a loopback port.
type Server struct {
	creds       map[string]Credential
	maxPageSize int
	seed        int64
	substring   bool             // Options.SubstringCriteria
	now         func() time.Time // the clock x-acs-date is checked against
	catalogue   *vulCatalogue
	clock       func() time.Time // the clock the QPS limit refills by
	// givenSecrets are Options.SensitiveFiles; never changed.
	givenSecrets map[string][]sensitiveSpec

	pageSizeReport PageSizeReport

	mu            sync.Mutex
	data          *dataset
	scans         *scanRegistry
	criteria      []CriteriaEntry
	latency       time.Duration
	faults        []*faultState
	streaks       map[streakKey]int
	rng           *rand.Rand
	totalOverride int
	hook          func(call int)
	served        int
	calls         map[string]int
	requests      []RecordedRequest
	requestSeq    uint64
	generation    int // bumped by ResetCounters so stale exchanges do not touch new records
	qps           float64
	buckets       map[string]*tokenBucket
	closed        bool
	inflight      sync.WaitGroup

	done      chan struct{} // closed by Close; wakes sleeping handlers
	closeOnce sync.Once
	httpSrv   *http.Server
	endpoint  string
	serveDone chan struct{}
}

// New builds a Server that is not listening; use it as an http.Handler.
func New(opts Options) *Server {
	creds := maps.Clone(opts.Credentials)
	if creds == nil {
		creds = map[string]Credential{TestAccessKey: {Secret: TestSecretKey}}
	}
	criteria := append([]CriteriaEntry(nil), opts.Criteria...)
	if opts.Criteria == nil {
		criteria = DefaultCriteria()
	}
	maxPageSize := opts.MaxPageSize
	if maxPageSize <= 0 {
		maxPageSize = 100
	}
	return &Server{
		pageSizeReport: opts.PageSizeReport,

		creds:        creds,
		maxPageSize:  maxPageSize,
		seed:         opts.Seed,
		substring:    opts.SubstringCriteria,
		now:          time.Now,
		catalogue:    newVulCatalogue(cmp.Or(opts.VulnerabilityCatalogue, DefaultVulnerabilityCatalogue)),
		givenSecrets: givenSensitiveSpecs(opts.SensitiveFiles),
		clock:        time.Now,
		data:         newDataset(copyImages(opts.Images)),
		scans:        newScanRegistry(opts.Scan),
		criteria:     criteria,
		latency:      opts.Latency,
		streaks:      map[streakKey]int{},
		rng:          newFaultRNG(opts.Seed),
		calls:        map[string]int{},
		qps:          max(opts.QPS, 0),
		buckets:      map[string]*tokenBucket{},
		done:         make(chan struct{}),
	}
}

func newFaultRNG(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x5a5f_fa17))
}

// Start serves a new Server on 127.0.0.1 with a free port.
func Start(opts Options) (*Server, error) {
	return Listen("127.0.0.1:0", opts)
}

// Listen serves a new Server on addr, which must be a loopback address: the
// fake accepts well-known test credentials and must not be reachable from
// the network.
func Listen(addr string, opts Options) (*Server, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fakesas: listen on %s: %w", addr, err)
	}
	s := New(opts)
	s.endpoint = l.Addr().String()
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.serveDone = make(chan struct{})
	go func() {
		defer close(s.serveDone)
		// Serve always returns an error; after Close it is ErrServerClosed.
		_ = s.httpSrv.Serve(l)
	}()
	return s, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("fakesas: bad listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("fakesas: refusing to listen on non-loopback address %q", addr)
}

// Endpoint is "127.0.0.1:PORT" once started, "" for a Server made by New.
func (s *Server) Endpoint() string { return s.endpoint }

// Close stops serving, wakes and waits for in-flight requests, and releases
// the port. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.done)
		if s.httpSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			if err := s.httpSrv.Shutdown(ctx); err != nil {
				_ = s.httpSrv.Close()
			}
			cancel()
			<-s.serveDone
		}
		s.inflight.Wait()
	})
}

// SetImages replaces the dataset.
func (s *Server) SetImages(images []Image) {
	d := newDataset(copyImages(images))
	s.mu.Lock()
	s.data = d
	s.mu.Unlock()
}

// Images returns a copy of the dataset.
func (s *Server) Images() []Image {
	s.mu.Lock()
	d := s.data
	s.mu.Unlock()
	// The stored dataset is replaced, never modified, so copying outside the lock is safe.
	return copyImages(d.images)
}

// copyImages copies the slice and each record, so neither the caller nor the
// server can change what the other holds.
func copyImages(images []Image) []Image {
	if images == nil {
		return nil
	}
	out := make([]Image, len(images))
	for i, img := range images {
		out[i] = maps.Clone(img)
	}
	return out
}

func (s *Server) snapshotImages() (*dataset, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data, s.totalOverride
}

// dataset is an immutable set of images with each record's JSON encoded on
// first use: encoding maps is the fake's main cost, and benchmarks measure
// the client, not the fake.
type dataset struct {
	images  []Image
	encoded []atomic.Pointer[json.RawMessage]
	// vulRows holds each image's DescribeImageVulList rows, encoded on
	// first use (vulnerabilities.go). A changed image comes in a new
	// dataset, so its rows are derived again.
	vulRows []atomic.Pointer[[]json.RawMessage]
}

func newDataset(images []Image) *dataset {
	return &dataset{
		images:  images,
		encoded: make([]atomic.Pointer[json.RawMessage], len(images)),
		vulRows: make([]atomic.Pointer[[]json.RawMessage], len(images)),
	}
}

// json returns the encoded record i. Two requests may encode the same
// record at once; both store identical bytes.
func (d *dataset) json(i int) (json.RawMessage, error) {
	if p := d.encoded[i].Load(); p != nil {
		return *p, nil
	}
	b, err := marshalJSON(d.images[i])
	if err != nil {
		return nil, err
	}
	raw := json.RawMessage(b)
	d.encoded[i].Store(&raw)
	return raw, nil
}

// SetFaults replaces the active faults, resets their counters and re-seeds
// the fault PRNG, so what follows depends only on Seed and the requests.
func (s *Server) SetFaults(faults ...Fault) {
	states := make([]*faultState, len(faults))
	for i, f := range faults {
		states[i] = &faultState{Fault: f}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = states
	s.streaks = map[streakKey]int{}
	s.rng = newFaultRNG(s.seed)
}

// SetLatency changes the delay added to every request.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// SetTotalCountOverride makes DescribeImageInstances report TotalCount n
// whatever matched; n <= 0 restores the real count.
func (s *Server) SetTotalCountOverride(n int) {
	s.mu.Lock()
	s.totalOverride = max(n, 0)
	s.mu.Unlock()
}

// OnDescribeImageInstances registers hook, called once per successfully
// served DescribeImageInstances page with the 1-based count of such pages.
// It runs after the page is computed and before it is written, outside any
// lock, so it may call SetImages; concurrent requests may run it
// concurrently. nil removes the hook.
func (s *Server) OnDescribeImageInstances(hook func(call int)) {
	s.mu.Lock()
	s.hook = hook
	s.mu.Unlock()
}

// Calls is the number of requests received for action, failed ones included.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RecordedRequest, len(s.requests))
	for i, r := range s.requests {
		r.Query = cloneValues(r.Query)
		out[i] = r
	}
	return out
}

// ResetCounters forgets recorded requests, per-action counts and the hook's
// call count. Faults and their counters are left alone (see SetFaults).
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.requests = nil
	s.served = 0
	s.generation++
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// exchange is one request in flight.
type exchange struct {
	index      int // into s.requests
	generation int
	requestID  string
	action     string
	version    string
	query      url.Values
	queryErr   error
	status     int       // HTTP status answered, 0 if none
	fault      FaultKind // injected fault, set as soon as it is picked
	overQPS    bool      // refused by the QPS limit
}

// ServeHTTP implements the service.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "fakesas: server closed", http.StatusServiceUnavailable)
		return
	}
	defer s.inflight.Done()
	x := s.arrive(r)
	// Deferred so the record is completed even when a fault aborts the handler.
	defer s.finish(x)
	x.status = s.handle(w, r, x)
}

// enter registers an in-flight request unless the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// arrive records the request and assigns its request id.
func (s *Server) arrive(r *http.Request) *exchange {
	query, err := url.ParseQuery(r.URL.RawQuery)
	x := &exchange{
		action:   firstNonEmpty(r.Header.Get("x-acs-action"), query.Get("Action")),
		version:  firstNonEmpty(r.Header.Get("x-acs-version"), query.Get("Version")),
		query:    query,
		queryErr: err,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestSeq++
	x.requestID = requestID(s.seed, s.requestSeq)
	x.index = len(s.requests)
	x.generation = s.generation
	s.calls[x.action]++
	s.requests = append(s.requests, RecordedRequest{
		Action:      x.action,
		Query:       query,
		AccessKeyID: accessKeyFromRequest(r),
	})
	return x
}

func (s *Server) finish(x *exchange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// ResetCounters may have dropped the record meanwhile.
	if x.generation == s.generation {
		s.requests[x.index].Status = x.status
		s.requests[x.index].Fault = string(x.fault)
		s.requests[x.index].RateLimited = x.overQPS
	}
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// handle runs the request pipeline: latency, routing, authentication, fault
// injection, the action itself. It returns the status written, 0 when
// nothing could be written.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, x *exchange) int {
	s.mu.Lock()
	latency := s.latency
	s.mu.Unlock()
	if !s.sleep(r.Context(), latency) {
		return 0
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return 0
	}
	if len(body) > maxBodyBytes {
		return writeError(w, x.requestID, invalidParameter("The request body is too large."))
	}
	if e := s.route(r, x); e != nil {
		return writeError(w, x.requestID, e)
	}
	if e := s.authenticate(r, x.query, body); e != nil {
		return writeError(w, x.requestID, e)
	}
	if !s.admit(x.action) {
		x.overQPS = true
		return writeError(w, x.requestID, rateLimited())
	}
	fault, faulted := s.pickFault(x.action, pageKey(x.query))
	if faulted {
		x.fault = fault.Kind
		if status, done := writeFault(w, x.requestID, fault); done {
			return status
		}
		if fault.Kind == FaultSlow && !s.sleep(r.Context(), fault.Delay) {
			return 0
		}
	}
	return s.respond(w, x, faulted && fault.Kind == FaultTruncated)
}

// respond runs the action and writes its answer, truncated if asked. Tasks
// that ended are applied to the dataset first, whatever the action, so
// every operation sees the images as a scan left them.
func (s *Server) respond(w http.ResponseWriter, x *exchange, truncate bool) int {
	s.applyEndedScans()
	op := operations[x.action]
	body, e := op.serve(s, x.query, x.requestID)
	if e != nil && e.lost != "" {
		status, _ := writeFault(w, x.requestID, Fault{Kind: e.lost})
		return status
	}
	status := http.StatusOK
	if e != nil {
		status, body = e.status, e.body(x.requestID)
	}
	if truncate {
		return writeTruncated(w, x.requestID, status, body)
	}
	if e != nil {
		return writeError(w, x.requestID, e)
	}
	if op.served != nil {
		op.served(s)
	}
	return writeResponse(w, x.requestID, status, jsonContentType, body)
}

// notifyServed counts a served page and runs the hook outside the lock.
func (s *Server) notifyServed() {
	s.mu.Lock()
	s.served++
	call, hook := s.served, s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(call)
	}
}

// pageKey is what a retrying client repeats: the CurrentPage (absent means
// page 1), or the Name of a DescribeVulDetails lookup.
func pageKey(q url.Values) string {
	return firstNonEmpty(q.Get("CurrentPage"), q.Get("Name"), "1")
}

// route validates method, path, version and action before authentication,
// as the service's gateway does.
func (s *Server) route(r *http.Request, x *exchange) *apiError {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return newAPIError(http.StatusMethodNotAllowed, "UnsupportedHTTPMethod",
			"Specified HTTP method %s is not supported.", r.Method)
	}
	if r.URL.Path != "/" {
		return newAPIError(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method.")
	}
	if x.queryErr != nil {
		return invalidParameter("The query string is malformed: %v.", x.queryErr)
	}
	for k, vs := range x.query {
		if len(vs) > 1 {
			return invalidParameter("The specified parameter %s is given more than once.", k)
		}
	}
	if x.action == "" {
		return newAPIError(http.StatusBadRequest, "MissingParameter",
			"The input parameter \"Action\" that is mandatory for processing this request is not supplied.")
	}
	if x.version != apiVersion {
		return newAPIError(http.StatusBadRequest, "InvalidVersion",
			"Specified parameter Version is not valid.")
	}
	if _, known := operations[x.action]; !known {
		return newAPIError(http.StatusNotFound, "InvalidAction.NotFound",
			"Specified api is not found, please check your url and method.")
	}
	return nil
}

// sleep waits d unless the request is cancelled or the server closes; it
// reports whether the full delay elapsed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}
