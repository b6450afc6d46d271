package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// errorDiagnostic turns an error of the SAS client into the diagnostic a
// user can act on. what names the operation, as in "Reading Security Center
// images". Every data source and resource reports client errors through it.
//
// Summary: "<what>: <code or kind of failure>". Detail: the service's code,
// HTTP status, message and request id, the number of attempts and why
// retrying stopped, then what to change: the argument, the environment
// variable or the RAM action.
func errorDiagnostic(what string, err error) diag.Diagnostic {
	f := failureOf(err)
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, value)
		}
	}
	line("Code", f.code)
	if f.httpStatus != 0 {
		line("HTTP status", fmt.Sprint(f.httpStatus))
	}
	line("Message", f.message)
	line("Error", f.cause)
	line("Request id", f.requestID)
	if f.attempts > 1 {
		line("Attempts", fmt.Sprint(f.attempts))
	}
	line("Gave up", retryVerdict(err, f))
	if hint := hintFor(f); hint != "" {
		fmt.Fprintf(&b, "\n%s\n", hint)
	}
	line("Diagnosis", f.recommend)
	return diag.NewErrorDiagnostic(what+": "+f.summary, strings.TrimRight(b.String(), "\n"))
}

// errorClass is what went wrong, as far as the user's fix is concerned.
type errorClass int

const (
	classOther errorClass = iota
	classCancelled
	classNoCredential
	classUnknownAccessKey
	classWrongSecret
	classBadSecurityToken
	classClockSkew
	classPermission
	classThrottled
	classCertificate
	classTimeout
	classNetwork
	classUnreadable
	classRedirect
)

// failure is a client error taken apart into what a diagnostic shows.
type failure struct {
	class      errorClass
	summary    string
	action     string
	code       string
	httpStatus int
	message    string
	cause      string // the underlying error, when the service did not answer
	requestID  string
	recommend  string
	attempts   int
}

// failureOf takes a client error apart.
func failureOf(err error) failure {
	f := failure{class: classify(err), cause: withoutRequestURL(err)}
	var apiErr *sasapi.APIError
	var te *sasapi.TransportError
	var ce *sasapi.CredentialError
	var de *sasapi.DecodeError
	var re *sasapi.RedirectError
	switch {
	case f.class == classCancelled:
		f.cause = ""
	case errors.As(err, &apiErr):
		f = failure{class: f.class, action: apiErr.Action, code: apiErr.Code, httpStatus: apiErr.HTTPStatus,
			message: apiErr.Message, requestID: apiErr.RequestID, recommend: apiErr.Recommend, attempts: apiErr.Attempts}
	case errors.As(err, &ce):
		f.action, f.cause = ce.Action, withoutRequestURL(ce.Err)
	case errors.As(err, &te):
		f.action, f.cause, f.attempts = te.Action, withoutRequestURL(te.Err), te.Attempts
	case errors.As(err, &de):
		f.action, f.cause, f.requestID, f.attempts = de.Action, de.Err.Error(), de.RequestID, de.Attempts
	case errors.As(err, &re):
		f.action = re.Action
	}
	f.summary = summaries[f.class]
	if f.code != "" {
		f.summary = f.code
	}
	return f
}

var summaries = map[errorClass]string{
	classCancelled:    "interrupted",
	classNoCredential: "no credentials",
	classCertificate:  "untrusted TLS certificate",
	classTimeout:      "request timed out",
	classNetwork:      "network error",
	classUnreadable:   "unreadable response",
	classRedirect:     "redirect refused",
	classOther:        "failed",
}

// classify is the one place that maps client errors, by type, code and
// HTTP status, to what the user has to fix.
func classify(err error) errorClass {
	var apiErr *sasapi.APIError
	var te *sasapi.TransportError
	var ce *sasapi.CredentialError
	var de *sasapi.DecodeError
	var re *sasapi.RedirectError
	switch {
	case errors.Is(err, context.Canceled):
		return classCancelled
	case errors.As(err, &re):
		return classRedirect
	case errors.As(err, &ce):
		return classNoCredential
	case errors.As(err, &te) && sasapi.IsCertificateError(te.Err):
		return classCertificate
	case errors.As(err, &te) && te.Timeout:
		return classTimeout
	case errors.As(err, &te):
		return classNetwork
	case errors.As(err, &de):
		return classUnreadable
	case !errors.As(err, &apiErr):
		return classOther
	}
	switch code := apiErr.Code; {
	case code == "InvalidAccessKeyId.NotFound" || code == "InvalidAccessKeyId":
		return classUnknownAccessKey
	case code == "SignatureDoesNotMatch" || code == "IncompleteSignature":
		return classWrongSecret
	case strings.HasPrefix(code, "InvalidSecurityToken"):
		return classBadSecurityToken
	case strings.HasPrefix(code, "InvalidTimeStamp") || strings.HasPrefix(code, "RequestTimeTooSkewed"):
		return classClockSkew
	case code == "NoPermission" || strings.HasPrefix(code, "Forbidden"):
		return classPermission
	case strings.HasPrefix(code, "Throttling") || apiErr.HTTPStatus == http.StatusTooManyRequests:
		return classThrottled
	}
	return classOther
}

// withoutRequestURL is err's text with the request URL cut to its path:
// the query carries the access key id, the signature and any STS token.
func withoutRequestURL(err error) string {
	text := err.Error()
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, parseErr := url.Parse(urlErr.URL); parseErr == nil {
			u.RawQuery, u.User = "", nil
			return strings.ReplaceAll(text, urlErr.URL, u.String())
		}
		return strings.ReplaceAll(text, urlErr.URL, "(request URL)")
	}
	return text
}

// hintFor says what to change, naming the argument and its environment
// variables, or the RAM action to grant.
func hintFor(f failure) string {
	switch f.class {
	case classCancelled:
		return "The read was cancelled before it completed; no partial result was stored."
	case classNoCredential:
		return "No usable Alibaba Cloud credential was found.\n\n" + credentialSearchOrder()
	case classUnknownAccessKey:
		return fmt.Sprintf("The access key id is unknown to the service: check access_key (or %s) and that the key is enabled.", envNames("access_key"))
	case classWrongSecret:
		return fmt.Sprintf("The access key secret does not match the access key id: check secret_key (or %s).", envNames("secret_key"))
	case classBadSecurityToken:
		return fmt.Sprintf("The STS security token is invalid or expired: obtain a fresh token (security_token, or %s), or use assume_role so it is refreshed automatically.", envNames("security_token"))
	case classClockSkew:
		return "The request timestamp was rejected: synchronise this machine's clock (NTP)."
	case classPermission:
		return fmt.Sprintf("Grant the RAM action yundun-sas:%s (for example through the AliyunYundunSASReadOnlyAccess policy) to the user or role the provider authenticates as.", f.action)
	case classThrottled:
		return "The service is rate limiting this account: lower max_concurrency, raise max_retries or retry_timeout, or retry later."
	case classCertificate:
		return fmt.Sprintf("The endpoint's certificate is not trusted. Behind a TLS-intercepting proxy or with a private endpoint, set ca_bundle_file (or %s) to a PEM file of the CA that signs it.", envNames("ca_bundle_file"))
	case classTimeout:
		return "The service did not answer within read_timeout. Raise read_timeout (and retry_timeout) in the provider configuration, or lower page_size so each page is smaller."
	case classNetwork:
		return fmt.Sprintf("Check the endpoint (endpoint, or %s), network access and proxy settings (HTTPS_PROXY, NO_PROXY).", envNames("endpoint"))
	case classRedirect:
		return fmt.Sprintf("The provider never follows a redirect, because the request carries credentials. "+
			"The endpoint is set by endpoint or %s (otherwise by region), the protocol by protocol or %s, "+
			"and proxies by HTTPS_PROXY, HTTP_PROXY and NO_PROXY.", envNames("endpoint"), envNames("protocol"))
	}
	return ""
}

// retryVerdict says why retrying stopped, for an error that could have
// been retried, naming the argument that bounds it.
func retryVerdict(err error, f failure) string {
	switch {
	case errors.Is(err, sasapi.ErrRetryBudgetExhausted):
		return "the next retry would have ended after retry_timeout. Raise retry_timeout (and max_retries), or retry later."
	case f.class == classCancelled || !sasapi.IsRetryable(err):
		return ""
	case f.attempts > 1:
		return "every retry max_retries allows failed. Raise max_retries (and retry_timeout), or retry later."
	default:
		return "not retried, max_retries is 0."
	}
}
