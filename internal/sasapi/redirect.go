package sasapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RedirectError is a 3xx answer. The SAS API never redirects, so one comes
// from a wrong endpoint or protocol, a proxy or captive portal, or someone on
// a plain-HTTP path. It is never followed: Go's client would resend the
// x-acs-* headers, the access key id and STS token among them, to whatever
// host the Location names. Asking again gets the same answer, so it is not
// retried either.
type RedirectError struct {
	Action string
	// Status is the HTTP status of the answer.
	Status int
	// Location is where the answer pointed, resolved against Endpoint and
	// without user info, query or fragment; "" when it named nowhere.
	Location string
	// Endpoint is the URL the request was sent to, without its query.
	Endpoint string
}

func (e *RedirectError) Error() string {
	to := "without a Location"
	if e.Location != "" {
		to = "to " + e.Location
	}
	return fmt.Sprintf("%s: %s answered HTTP %d %s, redirecting %s; the redirect was not followed: "+
		"the SAS API does not redirect, so check the endpoint, protocol and proxy settings",
		e.Action, e.Endpoint, e.Status, http.StatusText(e.Status), to)
}

// refuseRedirects returns a copy of hc that hands 3xx answers back instead
// of following them; attempt turns them into a RedirectError.
func refuseRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = refuseRedirect
	return &c
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func isRedirect(status int) bool { return status >= 300 && status < 400 }

// newRedirectError describes a 3xx answer to action sent to cfg's endpoint.
func newRedirectError(action string, cfg Config, status int, header http.Header) *RedirectError {
	endpoint := strings.ToLower(cfg.Protocol) + "://" + cfg.Endpoint + "/"
	return &RedirectError{
		Action:   action,
		Status:   status,
		Location: describeLocation(endpoint, header.Get("Location")),
		Endpoint: endpoint,
	}
}

// describeLocation resolves a Location header for a message. Query, fragment
// and user info are dropped: a redirector may echo request parameters there,
// and none of them helps to find the misconfiguration.
func describeLocation(endpoint, location string) string {
	if location == "" {
		return ""
	}
	location, _, _ = strings.Cut(location, "?")
	location, _, _ = strings.Cut(location, "#")
	base, baseErr := url.Parse(endpoint)
	ref, err := url.Parse(location)
	if baseErr != nil || err != nil {
		return strconv.Quote(truncate(validUTF8(location), 200))
	}
	u := base.ResolveReference(ref)
	u.User = nil
	return truncate(u.String(), 200)
}
