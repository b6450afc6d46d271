package sasapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// Category is the kind of a failure, as far as what to fix is concerned:
// callers react to the category rather than to each service code. This is
// the one place that classifies errors, by type, code and HTTP status.
type Category int

// Failure categories. CategoryUnknown is an error not made by this package.
const (
	CategoryUnknown Category = iota
	// CategoryCanceled: the caller's context was cancelled.
	CategoryCanceled
	// CategoryCredential: no credential could be obtained; nothing was sent.
	CategoryCredential
	// CategoryAccessKey: the service does not know the access key id, or
	// it is disabled.
	CategoryAccessKey
	// CategorySignature: the signature does not match: a wrong secret.
	CategorySignature
	// CategorySecurityToken: the STS token is invalid or expired.
	CategorySecurityToken
	// CategoryClockSkew: the request's timestamp was rejected.
	CategoryClockSkew
	// CategoryAuth: the credential was rejected for a reason not stated
	// (HTTP 401 without a known code).
	CategoryAuth
	// CategoryPermission: authenticated, but a RAM action is not granted.
	CategoryPermission
	// CategoryThrottled: the service is rate limiting the caller.
	CategoryThrottled
	// CategoryNotFound: the service does not know the requested resource.
	CategoryNotFound
	// CategoryInvalidArgument: the service rejected a request parameter.
	CategoryInvalidArgument
	// CategoryService: the service or a gateway failed (5xx, and answers
	// classified no other way).
	CategoryService
	// CategoryNetwork: no response (connection refused or reset, DNS).
	CategoryNetwork
	// CategoryTimeout: no complete response within the read timeout.
	CategoryTimeout
	// CategoryCertificate: the endpoint's TLS certificate is not trusted.
	CategoryCertificate
	// CategoryRedirect: the endpoint answered with a redirect, which is
	// never followed (the request carries credentials).
	CategoryRedirect
	// CategoryDecode: a 2xx answer whose body is not the documented shape.
	CategoryDecode
)

// Categories lists every category, for callers that map each to something.
var Categories = []Category{
	CategoryUnknown, CategoryCanceled, CategoryCredential, CategoryAccessKey, CategorySignature,
	CategorySecurityToken, CategoryClockSkew, CategoryAuth, CategoryPermission, CategoryThrottled,
	CategoryNotFound, CategoryInvalidArgument, CategoryService, CategoryNetwork, CategoryTimeout,
	CategoryCertificate, CategoryRedirect, CategoryDecode,
}

var categoryNames = map[Category]string{
	CategoryUnknown:         "unknown",
	CategoryCanceled:        "canceled",
	CategoryCredential:      "credential",
	CategoryAccessKey:       "access key",
	CategorySignature:       "signature",
	CategorySecurityToken:   "security token",
	CategoryClockSkew:       "clock skew",
	CategoryAuth:            "auth",
	CategoryPermission:      "permission",
	CategoryThrottled:       "throttled",
	CategoryNotFound:        "not found",
	CategoryInvalidArgument: "invalid argument",
	CategoryService:         "service",
	CategoryNetwork:         "network",
	CategoryTimeout:         "timeout",
	CategoryCertificate:     "certificate",
	CategoryRedirect:        "redirect",
	CategoryDecode:          "decode",
}

func (c Category) String() string {
	if name, ok := categoryNames[c]; ok {
		return name
	}
	return "unknown"
}

// CategoryOf returns the category of err, looking through wrapping. A
// cancellation anywhere in the chain wins: the caller stopped the work.
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

// codeCategory is a prefix of the service's codes and their category.
type codeCategory struct {
	prefix   string
	category Category
}

// callerCodes are the codes that name what the caller must fix, whatever
// the HTTP status, by prefix; the first match wins, so the codes of
// credentials come before the "Forbidden" they share a prefix with.
var callerCodes = []codeCategory{
	{"Throttling", CategoryThrottled},
	{"InvalidAccessKeyId", CategoryAccessKey},
	{"Forbidden.AccessKey", CategoryAccessKey},
	{"SignatureDoesNotMatch", CategorySignature},
	{"IncompleteSignature", CategorySignature},
	{"InvalidSecurityToken", CategorySecurityToken},
	{"InvalidTimeStamp", CategoryClockSkew},
	{"RequestTimeTooSkewed", CategoryClockSkew},
	{"NoPermission", CategoryPermission},
	{"Forbidden", CategoryPermission},
}

// argumentCodes are the codes of a rejected parameter, by prefix; a
// server failure (5xx) is one whatever its code says.
var argumentCodes = []codeCategory{
	{"Invalid", CategoryInvalidArgument},
	{"Missing", CategoryInvalidArgument},
	{"Illegal", CategoryInvalidArgument},
}

// Category classifies the service's code and HTTP status: first the codes
// that name what the caller must fix, then the statuses that do (gateway
// pages have no code), then server failures, then rejected arguments.
func (e *APIError) Category() Category {
	if c, ok := categoryByCode(callerCodes, e.Code); ok {
		return c
	}
	switch {
	case e.HTTPStatus == http.StatusTooManyRequests:
		return CategoryThrottled
	case e.HTTPStatus == http.StatusUnauthorized:
		return CategoryAuth
	case e.HTTPStatus == http.StatusForbidden:
		return CategoryPermission
	case e.HTTPStatus >= 500 || e.Code == "ServiceUnavailable":
		return CategoryService
	}
	if c, ok := categoryByCode(argumentCodes, e.Code); ok {
		return c
	}
	switch {
	case strings.Contains(e.Code, "NotFound") || strings.Contains(e.Code, "NotExist") || e.HTTPStatus == http.StatusNotFound:
		return CategoryNotFound
	case e.HTTPStatus == http.StatusBadRequest:
		return CategoryInvalidArgument
	}
	return CategoryService
}

func categoryByCode(table []codeCategory, code string) (Category, bool) {
	for _, c := range table {
		if strings.HasPrefix(code, c.prefix) {
			return c.category, true
		}
	}
	return 0, false
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

// Category is CategoryRedirect.
func (e *RedirectError) Category() Category { return CategoryRedirect }
