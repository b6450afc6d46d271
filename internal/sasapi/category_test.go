package sasapi

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// Every category comes from a failure as it reaches a caller: a service
// code with its HTTP status, or an error of this package. The table must
// hold every category of Categories, so a new one cannot go untested.
func TestCategoryOf(t *testing.T) {
	api := func(status int, code string) error {
		return &APIError{Action: ActionDescribeImageInstances, HTTPStatus: status, Code: code}
	}
	cases := []struct {
		name string
		err  error
		want Category
	}{
		{"foreign error", errors.New("something else"), CategoryUnknown},
		{"nil", nil, CategoryUnknown},
		{"cancelled", fmt.Errorf("DescribeImageInstances: %w", context.Canceled), CategoryCanceled},
		{"cancelled while the request was in flight", &TransportError{Err: fmt.Errorf("read: %w", context.Canceled)}, CategoryCanceled},
		{"no credential", &CredentialError{Err: errors.New("none")}, CategoryCredential},

		// Credentials: the code says which part to fix, whatever the status.
		{"unknown access key id", api(404, "InvalidAccessKeyId.NotFound"), CategoryAccessKey},
		{"inactive access key id", api(400, "InvalidAccessKeyId.Inactive"), CategoryAccessKey},
		{"disabled access key", api(403, "Forbidden.AccessKeyDisabled"), CategoryAccessKey},
		{"wrong secret", api(400, "SignatureDoesNotMatch"), CategorySignature},
		{"incomplete signature", api(400, "IncompleteSignature"), CategorySignature},
		{"expired token", api(400, "InvalidSecurityToken.Expired"), CategorySecurityToken},
		{"token of another key", api(400, "InvalidSecurityToken.MismatchWithAccessKey"), CategorySecurityToken},
		{"clock skew", api(400, "InvalidTimeStamp.Expired"), CategoryClockSkew},
		{"request time too skewed", api(403, "RequestTimeTooSkewed"), CategoryClockSkew},
		{"gateway 401", api(401, "HTTP401"), CategoryAuth},
		{"401 with an unknown code", api(401, "Unauthorized.Whatever"), CategoryAuth},

		// Authorisation: "Forbidden" without a credential code is RAM's.
		{"no permission", api(403, "NoPermission"), CategoryPermission},
		{"no permission on a 400 page", api(400, "NoPermission"), CategoryPermission},
		{"forbidden RAM", api(403, "Forbidden.RAM"), CategoryPermission},
		{"forbidden", api(403, "Forbidden"), CategoryPermission},
		{"plain 403 gateway page", api(403, "HTTP403"), CategoryPermission},

		{"throttling", api(400, "Throttling.User"), CategoryThrottled},
		{"throttling on a 503", api(503, "Throttling.Api"), CategoryThrottled},
		{"429 without a code", api(429, "HTTP429"), CategoryThrottled},
		{"unknown resource", api(404, "ImageNotExist"), CategoryNotFound},
		{"unknown task", api(400, "Task.NotFound"), CategoryNotFound},
		{"gateway 404", api(404, "HTTP404"), CategoryNotFound},
		{"invalid parameter", api(400, "InvalidParameter"), CategoryInvalidArgument},
		{"missing parameter", api(400, "MissingParameter.Type"), CategoryInvalidArgument},
		{"illegal parameter", api(400, "IllegalParam"), CategoryInvalidArgument},
		{"other 400", api(400, "SomethingOdd"), CategoryInvalidArgument},

		// A server failure is the service's whatever its code says of the
		// request.
		{"server error", api(500, "ServerError"), CategoryService},
		{"unavailable", api(503, "ServiceUnavailable"), CategoryService},
		{"unavailable without a status", api(0, "ServiceUnavailable"), CategoryService},
		{"gateway 502 page", api(502, "HTTP502"), CategoryService},
		{"500 naming a parameter", api(500, "InvalidParameter"), CategoryService},
		{"503 naming a missing resource", api(503, "ImageNotExist"), CategoryService},
		{"unclassified", api(409, "Conflict"), CategoryService},

		{"connection reset", &TransportError{Err: io.ErrUnexpectedEOF}, CategoryNetwork},
		{"read timeout", &TransportError{Timeout: true, Err: context.DeadlineExceeded}, CategoryTimeout},
		{"caller's deadline", fmt.Errorf("DescribeImageInstances: %w", context.DeadlineExceeded), CategoryTimeout},
		{"untrusted certificate", &TransportError{Err: x509.UnknownAuthorityError{}}, CategoryCertificate},
		{"refused redirect", &RedirectError{Action: ActionDescribeImageInstances, Status: http.StatusFound, Location: "https://login.example/"}, CategoryRedirect},
		{"unreadable body", &DecodeError{Err: errors.New("bad")}, CategoryDecode},

		// Wrapping by the engine and the retry loop keeps the category.
		{"wrapped by a page", fmt.Errorf("page 3: %w", api(403, "NoPermission")), CategoryPermission},
		{"wrapped by a part of a listing", fmt.Errorf("request 2 of 3: %w", api(400, "InvalidAccessKeyId.Inactive")), CategoryAccessKey},
		{"retry budget exhausted", fmt.Errorf("%w (2m0s): %w", ErrRetryBudgetExhausted, api(400, "Throttling.User")), CategoryThrottled},
	}
	covered := map[Category]bool{}
	for _, tc := range cases {
		covered[tc.want] = true
		t.Run(tc.name, func(t *testing.T) {
			if got := CategoryOf(tc.err); got != tc.want {
				t.Errorf("CategoryOf(%v) = %v, want %v", tc.err, got, tc.want)
			}
			if got, want := IsThrottling(tc.err), tc.want == CategoryThrottled; got != want {
				t.Errorf("IsThrottling(%v) = %v, want %v", tc.err, got, want)
			}
		})
	}
	for _, c := range Categories {
		if !covered[c] {
			t.Errorf("no case yields category %v", c)
		}
	}
}

// Codes are matched by prefix, first match first: a prefix listed before
// a longer one it begins would take the longer one's codes.
func TestNoCallerCodeIsShadowedByAnEarlierPrefix(t *testing.T) {
	for i, earlier := range callerCodes {
		for _, later := range callerCodes[i+1:] {
			if strings.HasPrefix(later.prefix, earlier.prefix) {
				t.Errorf("%q (%v) comes before %q (%v), whose codes it takes", earlier.prefix, earlier.category, later.prefix, later.category)
			}
		}
	}
}

// Categories lists each category once, and every category has its own
// name, so logs and messages tell them apart.
func TestCategoriesAreListedOnceWithDistinctNames(t *testing.T) {
	seen := map[string]Category{}
	for _, c := range Categories {
		name := c.String()
		if prev, dup := seen[name]; dup || name == "" {
			t.Errorf("category %d is named %q, like %d", c, name, prev)
		}
		seen[name] = c
	}
	if len(Categories) != len(categoryNames) {
		t.Errorf("Categories lists %d categories, %d are named", len(Categories), len(categoryNames))
	}
	if maxCategory := slices.Max(Categories); int(maxCategory) != len(Categories)-1 {
		t.Errorf("the categories run to %d, but %d are listed", maxCategory, len(Categories))
	}
	if got := Category(-1).String(); got != "unknown" {
		t.Errorf("Category(-1) = %q", got)
	}
}
