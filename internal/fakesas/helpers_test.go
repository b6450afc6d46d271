package fakesas

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

// startServer starts a fake and closes it when the test ends.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("start fake: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// ownedHTTPClient hands the SDK an HTTP client the test controls, so idle
// connections can be closed at the end (the SDK's pooled client would keep
// goroutines alive) and concurrent clients do not share SDK state.
type ownedHTTPClient struct{ c *http.Client }

func (o ownedHTTPClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return o.c.Do(req)
}

// creds is what a test client signs with.
type creds struct {
	ak, secret, token string
}

var defaultCreds = creds{ak: TestAccessKey, secret: TestSecretKey}

// newClient builds the real darabonba-openapi client pointed at the fake.
func newClient(t *testing.T, s *Server, c creds) *openapi.Client {
	t.Helper()
	return newClientTimeout(t, s, c, time.Minute) // generous: shared CI machines can be slow
}

func newClientTimeout(t *testing.T, s *Server, c creds, timeout time.Duration) *openapi.Client {
	t.Helper()
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	cfg := &openapi.Config{
		AccessKeyId:     dara.String(c.ak),
		AccessKeySecret: dara.String(c.secret),
		Endpoint:        dara.String(s.Endpoint()),
		Protocol:        dara.String("HTTP"),
		ReadTimeout:     dara.Int(int(timeout.Milliseconds())),
		ConnectTimeout:  dara.Int(5000),
		HttpClient:      ownedHTTPClient{c: &http.Client{Transport: transport, Timeout: timeout}},
	}
	if c.token != "" {
		cfg.SecurityToken = dara.String(c.token)
	}
	client, err := openapi.NewClient(cfg)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return client
}

// call sends one action through the real client and returns the decoded body.
func call(client *openapi.Client, action string, query map[string]string) (map[string]any, error) {
	q := map[string]*string{}
	for k, v := range query {
		q[k] = dara.String(v)
	}
	params := &openapi.Params{
		Action:      dara.String(action),
		Version:     dara.String("2018-12-03"),
		Protocol:    dara.String("HTTPS"),
		Pathname:    dara.String("/"),
		Method:      dara.String("POST"),
		AuthType:    dara.String("AK"),
		Style:       dara.String("RPC"),
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("json"),
	}
	res, err := client.CallApi(params, &openapi.OpenApiRequest{Query: q}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	body, ok := res["body"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("response has no JSON body: %#v", res)
	}
	return body, nil
}

// mustCall is call for requests that must succeed.
func mustCall(t *testing.T, client *openapi.Client, action string, query map[string]string) map[string]any {
	t.Helper()
	body, err := call(client, action, query)
	if err != nil {
		t.Fatalf("%s %v: %v", action, query, err)
	}
	return body
}

// sdkError extracts the service error code and HTTP status from an SDK error.
func sdkError(t *testing.T, err error) (string, int) {
	t.Helper()
	var se *tea.SDKError
	if !errors.As(err, &se) {
		t.Fatalf("want *tea.SDKError, got %T: %v", err, err)
	}
	return dara.StringValue(se.Code), dara.IntValue(se.StatusCode)
}

// wantSDKError asserts a call failed with the given code and status.
func wantSDKError(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got success", code)
	}
	gotCode, gotStatus := sdkError(t, err)
	if gotCode != code || gotStatus != status {
		t.Fatalf("want %s/%d, got %s/%d: %v", code, status, gotCode, gotStatus, err)
	}
}

// pageOfUUIDs lists the Uuid of every image in a DescribeImageInstances body.
func pageOfUUIDs(t *testing.T, body map[string]any) []string {
	t.Helper()
	list, ok := body["ImageInstanceList"].([]any)
	if !ok {
		t.Fatalf("no ImageInstanceList in %v", body)
	}
	out := make([]string, len(list))
	for i, item := range list {
		out[i] = fmt.Sprint(item.(map[string]any)["Uuid"])
	}
	return out
}

// pageInfoOf returns PageInfo as ints.
func pageInfoOf(t *testing.T, body map[string]any) map[string]int {
	t.Helper()
	info, ok := body["PageInfo"].(map[string]any)
	if !ok {
		t.Fatalf("no PageInfo in %v", body)
	}
	out := map[string]int{}
	for k, v := range info {
		n, err := strconv.Atoi(fmt.Sprint(v))
		if err != nil {
			t.Fatalf("PageInfo.%s = %v is not an int", k, v)
		}
		out[k] = n
	}
	return out
}

// rawRequest is a hand-built request, signed with the client library's own
// GetAuthorization, for the cases the client cannot produce.
type rawRequest struct {
	method  string            // default POST
	path    string            // default "/"
	action  string            // x-acs-action, default DescribeImageInstances
	version string            // x-acs-version, default 2018-12-03
	query   map[string]string // URL query
	headers map[string]string // extra headers, signed like the client signs them
	body    []byte
	creds   creds
	date    time.Time // x-acs-date, default now
	// payloadHash overrides x-acs-content-sha256 (default: sha256 of body).
	payloadHash string
	// afterSign edits the request after signing (tampering, dropping headers).
	afterSign func(*http.Request)
	unsigned  bool // send no Authorization header
	// noActionHeaders omits x-acs-action and x-acs-version, so only the
	// query can name them.
	noActionHeaders bool
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
	err    error // transport or body read error
}

// code decodes the Code of a JSON error body ("" if none).
func (r rawResponse) code() string {
	var e struct{ Code string }
	if json.Unmarshal(r.body, &e) != nil {
		return ""
	}
	return e.Code
}

func doRaw(t *testing.T, endpoint string, rr rawRequest) rawResponse {
	t.Helper()
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	req := buildRaw(t, endpoint, rr)
	resp, err := client.Do(req)
	if err != nil {
		return rawResponse{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

func buildRaw(t *testing.T, endpoint string, rr rawRequest) *http.Request {
	t.Helper()
	method := defaultString(rr.method, "POST")
	path := defaultString(rr.path, "/")
	c := rr.creds
	if c.ak == "" {
		c = defaultCreds
	}
	date := rr.date
	if date.IsZero() {
		date = time.Now()
	}
	hash := rr.payloadHash
	if hash == "" {
		sum := sha256.Sum256(rr.body)
		hash = hex.EncodeToString(sum[:])
	}
	headers := map[string]*string{
		"host":                  dara.String(endpoint),
		"x-acs-action":          dara.String(defaultString(rr.action, "DescribeImageInstances")),
		"x-acs-version":         dara.String(defaultString(rr.version, "2018-12-03")),
		"x-acs-date":            dara.String(date.UTC().Format("2006-01-02T15:04:05Z")),
		"x-acs-signature-nonce": dara.String(strconv.FormatInt(time.Now().UnixNano(), 16)),
		"x-acs-content-sha256":  dara.String(hash),
	}
	if rr.noActionHeaders {
		delete(headers, "x-acs-action")
		delete(headers, "x-acs-version")
	}
	if c.token != "" {
		headers["x-acs-security-token"] = dara.String(c.token)
		headers["x-acs-accesskey-id"] = dara.String(c.ak)
	}
	for k, v := range rr.headers {
		headers[k] = dara.String(v)
	}
	query := map[string]*string{}
	values := url.Values{}
	for k, v := range rr.query {
		query[k] = dara.String(v)
		values.Set(k, v)
	}
	target := "http://" + endpoint + path
	if len(values) > 0 {
		target += "?" + values.Encode()
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(rr.body))
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	for k, v := range headers {
		if k != "host" {
			req.Header.Set(k, *v)
		}
	}
	if !rr.unsigned {
		auth := openapiutil.GetAuthorization(&dara.Request{
			Method:   dara.String(method),
			Pathname: dara.String(path),
			Query:    query,
			Headers:  headers,
		}, dara.String("ACS3-HMAC-SHA256"), dara.String(hash), dara.String(c.ak), dara.String(c.secret))
		req.Header.Set("Authorization", dara.StringValue(auth))
	}
	if rr.afterSign != nil {
		rr.afterSign(req)
	}
	return req
}

func defaultString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// imagesNamed builds n minimal images with Uuid "img-<i>".
func imagesNamed(n int) []Image {
	out := make([]Image, n)
	for i := range out {
		out[i] = Image{"Uuid": fmt.Sprintf("img-%d", i), "RepoName": "repo", "Tag": strconv.Itoa(i)}
	}
	return out
}
