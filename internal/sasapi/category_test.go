package sasapi

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestCategoryOf(t *testing.T) {
	api := func(status int, code string) error {
		return &APIError{Action: ActionDescribeImageInstances, HTTPStatus: status, Code: code}
	}
	cases := []struct {
		name string
		err  error
		want Category
	}{
		{"unknown access key id", api(404, "InvalidAccessKeyId.NotFound"), CategoryAccessKey},
		{"inactive access key id", api(400, "InvalidAccessKeyId.Inactive"), CategoryAccessKey},
		{"wrong secret", api(400, "SignatureDoesNotMatch"), CategorySignature},
		{"incomplete signature", api(400, "IncompleteSignature"), CategorySignature},
		{"expired token", api(400, "InvalidSecurityToken.Expired"), CategorySecurityToken},
		{"clock skew", api(400, "InvalidTimeStamp.Expired"), CategoryClockSkew},
		{"disabled key", api(403, "Forbidden.AccessKeyDisabled"), CategoryAccessKey},
		{"gateway 401", api(401, "HTTP401"), CategoryAuth},
		{"no permission", api(403, "NoPermission"), CategoryPermission},
		{"no permission on a 400 page", api(400, "NoPermission"), CategoryPermission},
		{"forbidden RAM", api(403, "Forbidden.RAM"), CategoryPermission},
		{"gateway 403", api(403, "HTTP403"), CategoryPermission},
		{"throttling", api(400, "Throttling.User"), CategoryThrottled},
		{"throttling api", api(503, "Throttling.Api"), CategoryThrottled},
		{"429 without a code", api(429, "HTTP429"), CategoryThrottled},
		{"unknown resource", api(404, "ImageNotExist"), CategoryNotFound},
		{"gateway 404", api(404, "HTTP404"), CategoryNotFound},
		{"invalid parameter", api(400, "InvalidParameter"), CategoryInvalidArgument},
		{"missing parameter", api(400, "MissingParameter.Type"), CategoryInvalidArgument},
		{"illegal parameter", api(400, "IllegalParam"), CategoryInvalidArgument},
		{"other 400", api(400, "SomethingOdd"), CategoryInvalidArgument},
		{"server error", api(500, "ServerError"), CategoryService},
		{"unavailable", api(503, "ServiceUnavailable"), CategoryService},
		{"gateway 502 page", api(502, "HTTP502"), CategoryService},
		{"unclassified", api(409, "Conflict"), CategoryService},
		{"connection reset", &TransportError{Err: io.ErrUnexpectedEOF}, CategoryNetwork},
		{"read timeout", &TransportError{Timeout: true, Err: context.DeadlineExceeded}, CategoryTimeout},
		{"untrusted certificate", &TransportError{Err: x509.UnknownAuthorityError{}}, CategoryCertificate},
		{"no credential", &CredentialError{Err: errors.New("none")}, CategoryCredential},
		{"unreadable body", &DecodeError{Err: errors.New("bad")}, CategoryDecode},
		{"cancelled", fmt.Errorf("DescribeImageInstances: %w", context.Canceled), CategoryCanceled},
		{"caller's deadline", fmt.Errorf("DescribeImageInstances: %w", context.DeadlineExceeded), CategoryTimeout},
		{"foreign error", errors.New("something else"), CategoryUnknown},
		{"nil", nil, CategoryUnknown},
		// Wrapping by the engine and the retry loop keeps the category.
		{"wrapped by a page", fmt.Errorf("page 3: %w", api(403, "NoPermission")), CategoryPermission},
		{"retry budget exhausted", fmt.Errorf("%w (2m0s): %w", ErrRetryBudgetExhausted, api(400, "Throttling.User")), CategoryThrottled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CategoryOf(tc.err); got != tc.want {
				t.Errorf("CategoryOf(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// Every category has its own name, so logs and messages tell them apart.
func TestCategoryNamesAreDistinct(t *testing.T) {
	seen := map[string]Category{}
	for _, c := range Categories {
		name := c.String()
		if prev, dup := seen[name]; dup || name == "" {
			t.Errorf("category %d is named %q, like %d", c, name, prev)
		}
		seen[name] = c
	}
	if got := Category(-1).String(); got != "unknown" {
		t.Errorf("Category(-1) = %q", got)
	}
}
