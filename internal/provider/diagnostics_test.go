package provider

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

func TestDiagnose_namesWhatToFix(t *testing.T) {
	apiErr := func(code string, status, attempts int) *sasapi.APIError {
		return &sasapi.APIError{Action: "DescribeImageInstances", Code: code, HTTPStatus: status, Message: "message of " + code,
			RequestID: "REQ-" + code, Attempts: attempts}
	}
	budgetExhausted := func(err error) error {
		return fmt.Errorf("%w (%s): %w", sasapi.ErrRetryBudgetExhausted, 2*time.Minute, err)
	}
	cases := []struct {
		name        string
		err         error
		wantSummary string
		want        []string // in this order
		notWant     []string
	}{
		{"unknown access key id", apiErr("InvalidAccessKeyId.NotFound", 404, 1), "InvalidAccessKeyId.NotFound",
			[]string{"Code: InvalidAccessKeyId.NotFound", "HTTP status: 404", "Message: message of", "Request id: REQ-", "access_key", "ALIBABA_CLOUD_ACCESS_KEY_ID or ALICLOUD_ACCESS_KEY"},
			[]string{"Attempts", "Gave up"}},
		{"wrong secret", apiErr("SignatureDoesNotMatch", 400, 1), "SignatureDoesNotMatch",
			[]string{"Code: SignatureDoesNotMatch", "HTTP status: 400", "Request id: REQ-", "secret_key", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"}, nil},
		{"expired STS token", apiErr("InvalidSecurityToken.Expired", 400, 1), "InvalidSecurityToken.Expired",
			[]string{"Code: InvalidSecurityToken.Expired", "fresh token", "security_token", "ALIBABA_CLOUD_SECURITY_TOKEN", "assume_role"}, nil},
		{"no permission names the RAM action", apiErr("NoPermission", 403, 1), "NoPermission",
			[]string{"Code: NoPermission", "HTTP status: 403", "Request id: REQ-", "yundun-sas:DescribeImageInstances"}, nil},
		{"retry budget exhausted while throttled", budgetExhausted(apiErr("Throttling.User", 400, 4)), "Throttling.User",
			[]string{"Code: Throttling.User", "Attempts: 4", "Gave up:", "retry_timeout", "max_retries", "max_concurrency"}, nil},
		{"retries exhausted", apiErr("ServerError", 500, 3), "ServerError",
			[]string{"Code: ServerError", "HTTP status: 500", "Attempts: 3", "Gave up:", "Raise max_retries"}, nil},
		{"retries disabled", apiErr("ServiceUnavailable", 503, 1), "ServiceUnavailable",
			[]string{"Gave up: not retried, max_retries is 0"}, []string{"Attempts"}},
		{"final error is not retried", apiErr("InvalidParameter", 400, 1), "InvalidParameter",
			[]string{"Code: InvalidParameter", "Message: message of InvalidParameter"}, []string{"Gave up", "max_retries"}},
		{"timeout", &sasapi.TransportError{Action: "DescribeImageInstances", Timeout: true, Attempts: 2, Err: context.DeadlineExceeded}, "request timed out",
			[]string{"Error: context deadline exceeded", "Attempts: 2", "Raise read_timeout"}, nil},
		{"untrusted certificate", &sasapi.TransportError{Action: "DescribeImageInstances", Err: x509.UnknownAuthorityError{}}, "untrusted TLS certificate",
			[]string{"ca_bundle_file", "SAS_CA_BUNDLE"}, []string{"Gave up"}},
		{"no credentials", &sasapi.CredentialError{Action: "DescribeImageInstances", Err: errors.New("no credential found")}, "no credentials",
			[]string{"Error: no credential found", "access_key and secret_key", "ALIBABA_CLOUD_ACCESS_KEY_ID or ALICLOUD_ACCESS_KEY", "ecs_role_name", "ALIBABA_CLOUD_OIDC_TOKEN_FILE"}, nil},
		{"cancelled", fmt.Errorf("%w", &sasapi.TransportError{Action: "DescribeImageInstances", Err: context.Canceled}), "interrupted",
			[]string{"no partial result"}, []string{"Error:"}},
		{"network error hides the signed query", &sasapi.TransportError{Action: "DescribeImageInstances", Attempts: 6, Err: &url.Error{Op: "Get",
			URL: "https://tds.aliyuncs.com/?AccessKeyId=LTAI-id&SecurityToken=sts-token-value&Signature=sig-value", Err: errors.New("connection refused")}},
			"network error", []string{`Error: Get "https://tds.aliyuncs.com/": connection refused`, "Attempts: 6", "Raise max_retries", "ALIBABA_CLOUD_ENDPOINT_SAS"},
			[]string{"sts-token-value", "sig-value", "LTAI-id"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := diagnose(tc.err)
			if want := "Reading Security Center images: " + tc.wantSummary; d.Summary() != want {
				t.Errorf("summary %q, want %q", d.Summary(), want)
			}
			detail := d.Detail()
			rest := detail
			for _, w := range tc.want {
				k := strings.Index(rest, w)
				if k < 0 {
					t.Fatalf("detail lacks %q (or has it out of order):\n%s", w, detail)
				}
				rest = rest[k+len(w):]
			}
			for _, w := range tc.notWant {
				if strings.Contains(detail, w) {
					t.Errorf("detail has %q:\n%s", w, detail)
				}
			}
			// One layout: no field is written twice.
			for _, field := range []string{"Code: ", "HTTP status: ", "Message: ", "Request id: ", "Attempts: ", "REQ-"} {
				if n := strings.Count(detail, field); n > 1 {
					t.Errorf("%q appears %d times:\n%s", field, n, detail)
				}
			}
		})
	}
}
