package sasapi

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// APIError is a failure reported by the service (or by a gateway in front
// of it). It never carries credentials.
type APIError struct {
	Action     string
	HTTPStatus int
	Code       string
	Message    string
	RequestID  string
	Recommend  string
	// RetryAfter is the server's Retry-After hint, zero when absent.
	RetryAfter time.Duration
	// Attempts is the number of requests made before giving up.
	Attempts int
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed: %s", e.Action, e.Code)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id: %s]", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	return b.String()
}

// TransportError is a failure to get any response: connection refused or
// reset, a body cut short, or a request that exceeded the read timeout.
type TransportError struct {
	Action   string
	Timeout  bool
	Attempts int
	Err      error
}

func (e *TransportError) Error() string {
	what := "network error"
	if e.Timeout {
		what = "request timed out"
	}
	msg := fmt.Sprintf("%s: %s: %v", e.Action, what, e.Err)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	return msg
}

func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is a 2xx response whose body is not the documented shape.
// A truncated or empty body is retried (gateways produce them); a field of
// the wrong type is not, since asking again gives the same answer.
type DecodeError struct {
	Action    string
	RequestID string
	Attempts  int
	Err       error
}

// Retryable reports whether the body looks cut short rather than wrong.
func (e *DecodeError) Retryable() bool {
	var syntax *json.SyntaxError
	return errors.As(e.Err, &syntax) || errors.Is(e.Err, io.ErrUnexpectedEOF) || errors.Is(e.Err, errNoAnswer)
}

func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("%s: unreadable response: %v", e.Action, e.Err)
	if e.RequestID != "" {
		msg += fmt.Sprintf(" [request id: %s]", e.RequestID)
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	return msg
}

func (e *DecodeError) Unwrap() error { return e.Err }

// errorBody is the service's JSON error shape.
type errorBody struct {
	RequestID string `json:"RequestId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

var htmlTitle = regexp.MustCompile(`(?is)<title>\s*(.*?)\s*</title>`)

// parseErrorResponse turns a >= 400 response into an APIError. Gateways in
// front of the service answer with HTML; those get a synthetic code naming
// the HTTP status so that retry decisions and messages still work.
func parseErrorResponse(action string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{Action: action, HTTPStatus: status, RetryAfter: parseRetryAfter(header.Get("Retry-After"))}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err == nil && eb.Code != "" {
		e.Code, e.Message, e.RequestID, e.Recommend = eb.Code, validUTF8(eb.Message), eb.RequestID, eb.Recommend
		if e.RequestID == "" {
			e.RequestID = header.Get("x-acs-request-id")
		}
		return e
	}
	e.Code = fmt.Sprintf("HTTP%d", status)
	e.RequestID = header.Get("x-acs-request-id")
	e.Message = summariseBody(body)
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// summariseBody extracts something readable from a non-JSON error page.
func summariseBody(body []byte) string {
	if m := htmlTitle.FindSubmatch(body); m != nil {
		return truncate(validUTF8(string(bytes.TrimSpace(m[1]))), 120)
	}
	text, _, _ := strings.Cut(strings.TrimSpace(validUTF8(string(body))), "\n")
	return truncate(text, 120)
}

func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var secs int
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// IsThrottling reports whether err is the service rate limiting the caller.
func IsThrottling(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Category() == CategoryThrottled
}

// IsRetryable reports whether a failed request may succeed if sent again:
// throttling, service unavailability, 5xx, gateway pages, network failures,
// timeouts and unreadable 2xx bodies. Authorization and validation errors
// (other 4xx) are final.
func IsRetryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Category() == CategoryThrottled ||
			apiErr.Code == "ServiceUnavailable" ||
			apiErr.HTTPStatus >= 500
	}
	var te *TransportError
	if errors.As(err, &te) {
		return !IsCertificateError(te.Err)
	}
	var de *DecodeError
	return errors.As(err, &de) && de.Retryable()
}

// setAttempts records how many requests were made on the error's behalf.
func setAttempts(err error, attempts int) {
	var apiErr *APIError
	var te *TransportError
	var de *DecodeError
	switch {
	case errors.As(err, &apiErr):
		apiErr.Attempts = attempts
	case errors.As(err, &te):
		te.Attempts = attempts
	case errors.As(err, &de):
		de.Attempts = attempts
	}
}

// IsCertificateError reports a TLS verification failure: retrying cannot
// fix an untrusted or mismatched certificate.
func IsCertificateError(err error) bool {
	var verifyErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	return errors.As(err, &verifyErr) || errors.As(err, &unknownAuthority) || errors.As(err, &invalid) || errors.As(err, &hostname)
}
