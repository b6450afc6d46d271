package sasapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// Category is the kind of a failure, for callers that react to the kind
// rather than to each service code.
type Category int

// Failure categories. CategoryUnknown is an error not made by this package.
const (
	CategoryUnknown Category = iota
	// CategoryAuth: the service rejected the credential (unknown key, wrong
	// secret, invalid or expired token, clock skew).
	CategoryAuth
	// CategoryPermission: authenticated, but a RAM action is not granted.
	CategoryPermission
	// CategoryThrottled: the service is rate limiting the caller.
	CategoryThrottled
	// CategoryNotFound: the service does not know the requested resource.
	CategoryNotFound
	// CategoryInvalidArgument: the service rejected a request parameter.
	CategoryInvalidArgument
	// CategoryService: the service or a gateway failed (5xx and anything
	// not classified above).
	CategoryService
	// CategoryNetwork: no response (connection refused or reset, DNS).
	CategoryNetwork
	// CategoryTimeout: no complete response within the read timeout.
	CategoryTimeout
	// CategoryCertificate: the endpoint's TLS certificate is not trusted.
	CategoryCertificate
	// CategoryCredential: no credential could be obtained; nothing was sent.
	CategoryCredential
	// CategoryDecode: a 2xx answer whose body is not the documented shape.
	CategoryDecode
	// CategoryCanceled: the caller's context was cancelled.
	CategoryCanceled
)

var categoryNames = map[Category]string{
	CategoryUnknown:         "unknown",
	CategoryAuth:            "auth",
	CategoryPermission:      "permission",
	CategoryThrottled:       "throttled",
	CategoryNotFound:        "not found",
	CategoryInvalidArgument: "invalid argument",
	CategoryService:         "service",
	CategoryNetwork:         "network",
	CategoryTimeout:         "timeout",
	CategoryCertificate:     "certificate",
	CategoryCredential:      "credential",
	CategoryDecode:          "decode",
	CategoryCanceled:        "canceled",
}

func (c Category) String() string {
	if name, ok := categoryNames[c]; ok {
		return name
	}
	return "unknown"
}

// CategoryOf returns the category of err, looking through wrapping.
func CategoryOf(err error) Category {
	if errors.Is(err, context.Canceled) {
		return CategoryCanceled
	}
	var categorised interface{ Category() Category }
	if errors.As(err, &categorised) {
		return categorised.Category()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return CategoryTimeout
	}
	return CategoryUnknown
}

// Category classifies the service's code, then the HTTP status for answers
// without a known code (gateway pages).
func (e *APIError) Category() Category {
	if isThrottlingCode(e.Code) || e.HTTPStatus == http.StatusTooManyRequests {
		return CategoryThrottled
	}
	if isAuthCode(e.Code) || e.HTTPStatus == http.StatusUnauthorized {
		return CategoryAuth
	}
	if e.Code == "NoPermission" || strings.HasPrefix(e.Code, "Forbidden") || e.HTTPStatus == http.StatusForbidden {
		return CategoryPermission
	}
	if e.Code == "ServiceUnavailable" || e.HTTPStatus >= 500 {
		return CategoryService
	}
	if strings.Contains(e.Code, "NotFound") || strings.Contains(e.Code, "NotExist") || e.HTTPStatus == http.StatusNotFound {
		return CategoryNotFound
	}
	if strings.HasPrefix(e.Code, "Invalid") || strings.HasPrefix(e.Code, "Missing") || strings.HasPrefix(e.Code, "Illegal") ||
		e.HTTPStatus == http.StatusBadRequest {
		return CategoryInvalidArgument
	}
	return CategoryService
}

// isAuthCode reports the codes of a rejected credential or signature.
func isAuthCode(code string) bool {
	for _, prefix := range []string{"InvalidAccessKeyId", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidSecurityToken", "InvalidTimeStamp", "RequestTimeTooSkewed", "Forbidden.AccessKey"} {
		if strings.HasPrefix(code, prefix) {
			return true
		}
	}
	return false
}

// Category is CategoryCertificate, CategoryTimeout or CategoryNetwork.
func (e *TransportError) Category() Category {
	switch {
	case IsCertificateError(e.Err):
		return CategoryCertificate
	case e.Timeout:
		return CategoryTimeout
	}
	return CategoryNetwork
}

// Category is CategoryDecode.
func (e *DecodeError) Category() Category { return CategoryDecode }

// Category is CategoryCredential.
func (e *CredentialError) Category() Category { return CategoryCredential }

// Category of a refused redirect: the request never reached the service,
// like any other failure to talk to the endpoint.
func (e *RedirectError) Category() Category { return CategoryNetwork }
