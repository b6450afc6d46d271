package provider

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// The one error path of the provider. diagnose turns any error of a read
// or an apply into the diagnostic the user sees: a problem (a failure the
// provider itself explains, such as a lookup that matched nothing) in its
// own words; any other error by its sasapi.Category, with the service's
// code, message and request id and what to fix. No diagnostic ever
// prints a credential: nothing here reads one, and the only text taken
// from a network error has the request URL's query (which carries the
// signature and any STS token) cut off.

// problem is a failure the provider explains in its own words.
type problem interface {
	error
	// summary is the diagnostic's summary; detail says what was found and
	// what to do.
	summary() string
	detail() string
}

// explained is a problem worded where it is found.
type explainedError struct {
	err            error
	title, detail_ string
}

func explained(err error, summary, detail string) error {
	return &explainedError{err: err, title: summary, detail_: detail}
}

func (e *explainedError) Error() string   { return e.title + ": " + e.err.Error() }
func (e *explainedError) Unwrap() error   { return e.err }
func (e *explainedError) summary() string { return e.title }
func (e *explainedError) detail() string  { return e.detail_ }

// diagnose is the diagnostic of err.
func diagnose(err error) diag.Diagnostic {
	var p problem
	if errors.As(err, &p) {
		return diag.NewErrorDiagnostic(p.summary(), p.detail())
	}
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
	if help := categoryHelp[f.category]; help.fix != nil {
		fmt.Fprintf(&b, "\n%s\n", help.fix(f))
	}
	line("Diagnosis", f.recommend)
	return diag.NewErrorDiagnostic(readingOf(f.action)+": "+f.summary(), strings.TrimRight(b.String(), "\n"))
}

// failure is a client error taken apart into what a diagnostic shows.
type failure struct {
	category   sasapi.Category
	action     string
	code       string
	httpStatus int
	message    string
	cause      string // the underlying error, when the service did not answer
	requestID  string
	recommend  string
	attempts   int
}

// summary is the service's code, or what kind of failure it was.
func (f failure) summary() string {
	if f.code != "" {
		return f.code
	}
	if s := categoryHelp[f.category].summary; s != "" {
		return s
	}
	return "failed"
}

// failureOf takes a client error apart.
func failureOf(err error) failure {
	f := failure{category: sasapi.CategoryOf(err), cause: withoutRequestURL(err)}
	var apiErr *sasapi.APIError
	var te *sasapi.TransportError
	var ce *sasapi.CredentialError
	var de *sasapi.DecodeError
	var re *sasapi.RedirectError
	switch {
	case errors.As(err, &apiErr):
		f = failure{category: f.category, action: apiErr.Action, code: apiErr.Code, httpStatus: apiErr.HTTPStatus,
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
	if f.category == sasapi.CategoryCanceled {
		f.cause, f.attempts = "", 0
	}
	return f
}

// readingOf says what the provider was doing when an action failed.
func readingOf(action string) string {
	if what, ok := actionReading[action]; ok {
		return what
	}
	return "Reading from Security Center"
}

var actionReading = map[string]string{
	sasapi.ActionDescribeImageInstances:           "Reading Security Center images",
	sasapi.ActionDescribeImageCriteria:            "Reading Security Center image criteria",
	sasapi.ActionDescribeImageVulList:             "Reading Security Center image vulnerabilities",
	sasapi.ActionDescribeVulDetails:               "Reading Security Center vulnerability details",
	sasapi.ActionDescribeImageBaselineCheckResult: "Reading Security Center image baselines",
	sasapi.ActionDescribeImageBaselineItemList:    "Reading Security Center baseline check items",
	sasapi.ActionPublicCreateImageScanTask:        "Starting a Security Center image scan",
	sasapi.ActionDescribeImageLatestScanTask:      "Reading the latest Security Center image scan task",
}

// writeActions are the actions that change something: a read-only policy
// does not grant them.
var writeActions = map[string]bool{sasapi.ActionPublicCreateImageScanTask: true}

// help is what the provider says of a category: the summary of a failure
// without a service code, and what to fix.
type help struct {
	summary string
	fix     func(failure) string
}

// categoryHelp maps every category to what to fix, naming the argument and
// its environment variables, or the RAM action to grant. A category
// without a fix is one where the service's code and message say it all.
var categoryHelp = map[sasapi.Category]help{
	sasapi.CategoryCanceled: {"interrupted", func(failure) string {
		return "The read was cancelled before it completed; no partial result was stored."
	}},
	sasapi.CategoryCredential: {"no credentials", func(failure) string {
		return "No usable Alibaba Cloud credential was found.\n\n" + credentialSearchOrder()
	}},
	sasapi.CategoryAccessKey: {"unknown access key", func(failure) string {
		return fmt.Sprintf("The access key id is unknown to the service: check access_key (or %s) and that the key is enabled.", envNames("access_key"))
	}},
	sasapi.CategorySignature: {"signature mismatch", func(failure) string {
		return fmt.Sprintf("The access key secret does not match the access key id: check secret_key (or %s).", envNames("secret_key"))
	}},
	sasapi.CategorySecurityToken: {"invalid security token", func(failure) string {
		return fmt.Sprintf("The STS security token is invalid or expired: obtain a fresh token (security_token, or %s), or use assume_role so it is refreshed automatically.", envNames("security_token"))
	}},
	sasapi.CategoryClockSkew: {"clock skew", func(failure) string {
		return "The request timestamp was rejected: synchronise this machine's clock (NTP)."
	}},
	sasapi.CategoryAuth: {"credential rejected", func(failure) string {
		return fmt.Sprintf("The service rejected the credential: check access_key and secret_key (or %s and %s), and security_token if you use one.",
			envNames("access_key"), envNames("secret_key"))
	}},
	sasapi.CategoryPermission: {"permission denied", permissionFix},
	sasapi.CategoryThrottled: {"throttled", func(failure) string {
		return "The service is rate limiting this account: lower max_concurrency, raise max_retries or retry_timeout, or retry later."
	}},
	sasapi.CategoryCertificate: {"untrusted TLS certificate", func(failure) string {
		return fmt.Sprintf("The endpoint's certificate is not trusted. Behind a TLS-intercepting proxy or with a private endpoint, set ca_bundle_file (or %s) to a PEM file of the CA that signs it.", envNames("ca_bundle_file"))
	}},
	sasapi.CategoryTimeout: {"request timed out", func(failure) string {
		return "The service did not answer within read_timeout. Raise read_timeout (and retry_timeout) in the provider configuration, or lower page_size so each page is smaller."
	}},
	sasapi.CategoryNetwork: {"network error", func(failure) string {
		return fmt.Sprintf("Check the endpoint (endpoint, or %s), network access and proxy settings (HTTPS_PROXY, NO_PROXY).", envNames("endpoint"))
	}},
	sasapi.CategoryRedirect: {"redirect refused", func(failure) string {
		return fmt.Sprintf("The provider never follows a redirect, because the request carries credentials. "+
			"The endpoint is set by endpoint or %s (otherwise by region), the protocol by protocol or %s, "+
			"and proxies by HTTPS_PROXY, HTTP_PROXY and NO_PROXY.", envNames("endpoint"), envNames("protocol"))
	}},
	sasapi.CategoryDecode:          {summary: "unreadable response"},
	sasapi.CategoryNotFound:        {},
	sasapi.CategoryInvalidArgument: {},
	sasapi.CategoryService:         {},
	sasapi.CategoryUnknown:         {},
}

// permissionFix names the RAM action to grant, and for an action that
// changes something, that a read-only policy does not grant it.
func permissionFix(f failure) string {
	if writeActions[f.action] {
		return fmt.Sprintf("Grant the RAM action yundun-sas:%s to the user or role the provider authenticates as. "+
			"Starting a scan is not a read: a read-only policy such as AliyunYundunSASReadOnlyAccess may not allow it. "+
			"Allow yundun-sas:PublicCreateImageScanTask and yundun-sas:DescribeImageLatestScanTask, for example in a custom policy.", f.action)
	}
	return fmt.Sprintf("Grant the RAM action yundun-sas:%s (for example through the AliyunYundunSASReadOnlyAccess policy) to the user or role the provider authenticates as.", f.action)
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

// retryVerdict says why retrying stopped, for an error that could have
// been retried, naming the argument that bounds it.
func retryVerdict(err error, f failure) string {
	switch {
	case errors.Is(err, sasapi.ErrRetryBudgetExhausted):
		return "the next retry would have ended after retry_timeout. Raise retry_timeout (and max_retries), or retry later."
	case f.category == sasapi.CategoryCanceled || !sasapi.IsRetryable(err):
		return ""
	case f.attempts > 1:
		return "every retry max_retries allows failed. Raise max_retries (and retry_timeout), or retry later."
	default:
		return "not retried, max_retries is 0."
	}
}

// listingWarningSummary is the summary of a warning about a listing.
func listingWarningSummary(l listingReport) string {
	return "Security Center listing of " + l.noun + " may be inconsistent"
}

// anomalyText explains one anomaly of a listing, with the numbers seen.
func anomalyText(l listingReport, a sasapi.Anomaly) string {
	switch a.Kind {
	case sasapi.AnomalyCountChanged:
		return fmt.Sprintf("The listing of %s changed during the read: the service reported %d matching %s on the first page and %d on a later one. "+
			"Records added or removed meanwhile may be missing from the result; run again for a consistent view.", l.noun, a.Reported, l.noun, a.Seen)
	case sasapi.AnomalyRepeated:
		return fmt.Sprintf("The listing of %s changed during the read: %d record(s) appeared on two pages and were kept once "+
			"(records were added or removed between pages).", l.noun, a.Seen)
	case sasapi.AnomalyShort:
		return fmt.Sprintf("The service reported %d matching %s but returned only %d before its pages ran out; the result may be incomplete.", a.Reported, l.noun, a.Seen)
	case sasapi.AnomalyUnfinished:
		return fmt.Sprintf("The listing of %s went on far beyond the %d the service reported: %d were read and its pages were still full when the read stopped; "+
			"the result may be incomplete.", l.noun, a.Reported, a.Seen)
	default:
		return fmt.Sprintf("The listing of %s changed during the read: the service returned %d, more than the %d it reported; all of them are in the result.", l.noun, a.Seen, a.Reported)
	}
}

// incompleteListing is a risk listing that came up short: the read fails,
// so that no gate passes on part of the risks.
type incompleteListing struct {
	listing listingReport
	anomaly sasapi.Anomaly
}

func (e *incompleteListing) Error() string {
	return fmt.Sprintf("%s: %d of %d %s", e.listing.action, e.anomaly.Seen, e.anomaly.Reported, e.listing.noun)
}

func (e *incompleteListing) summary() string {
	return "Incomplete Security Center listing of " + e.listing.noun
}

func (e *incompleteListing) detail() string {
	what := fmt.Sprintf("%s reported %d matching %s but returned only %d before its pages ran out, and counting again did not explain the difference.",
		e.listing.action, e.anomaly.Reported, e.listing.noun, e.anomaly.Seen)
	switch e.anomaly.Kind {
	case sasapi.AnomalyUnfinished:
		what = fmt.Sprintf("%s reported %d matching %s, but its pages went on: %d were read and the pages were still full when the read stopped.",
			e.listing.action, e.anomaly.Reported, e.listing.noun, e.anomaly.Seen)
	case sasapi.AnomalyCountChanged:
		what = fmt.Sprintf("%s reported %d matching %s on the first page and %d later: records were removed while the pages were read, "+
			"so others may have moved onto pages already read and been missed.", e.listing.action, e.anomaly.Reported, e.listing.noun, e.anomaly.Seen)
	}
	return what + " The read fails rather than let a gate pass on a partial list of risks. Run again; if it persists, give Alibaba Cloud support the request ids.\n\n" +
		"Request ids: " + strings.Join(e.listing.requestIDs, ", ")
}
