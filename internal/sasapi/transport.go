package sasapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// NewHTTPClient returns the HTTP client the provider sends requests with:
// standard proxy environment variables honoured, TLS verification on, and
// optionally extra trusted CAs (PEM) for corporate proxies and private
// endpoints; redirects are never followed (see RedirectError). Overall
// timeouts are per request, through the context.
func NewHTTPClient(connectTimeout time.Duration, caBundlePEM []byte) (*http.Client, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(caBundlePEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(caBundlePEM) {
			return nil, errors.New("the CA bundle contains no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	// Proxy variables are read now, not once per process as
	// http.ProxyFromEnvironment does, so each configuration sees its own.
	proxyFunc := httpproxy.FromEnvironment().ProxyFunc()
	transport := &http.Transport{
		Proxy:                 func(r *http.Request) (*url.URL, error) { return proxyFunc(r.URL) },
		DialContext:           (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConfig,
		TLSHandshakeTimeout:   connectTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: transport, CheckRedirect: refuseRedirect}, nil
}

// bufferingHTTPClient is the generic client's HTTP hook for one attempt. It sends the
// request under the attempt's context (the generic client has none), reads
// the whole body within that context, and keeps status, headers and body.
// The generic client then sees a fully buffered response.
type bufferingHTTPClient struct {
	ctx    context.Context
	client *http.Client

	status int
	header http.Header
	body   []byte
	err    error
}

// Call implements dara.HttpClient. The transport it is handed is ignored:
// ours decides proxies and TLS.
func (r *bufferingHTTPClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	resp, err := r.client.Do(req.WithContext(r.ctx))
	if err != nil {
		r.err = err
		return nil, err
	}
	defer resp.Body.Close()
	body, err := readBody(resp, maxResponseBytes)
	if err != nil {
		r.err = fmt.Errorf("reading response body (HTTP %d): %w", resp.StatusCode, err)
		return nil, r.err
	}
	r.status, r.header, r.body = resp.StatusCode, resp.Header, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// readBody reads the whole body, failing if it is longer than limit.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, bodyCapacity(resp.ContentLength, limit)))
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return buf.Bytes(), nil
}
