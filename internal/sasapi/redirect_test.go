package sasapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// A redirect must not take the signed request, with its x-acs-* credential
// headers, to another host: the client reports it, once, without retrying.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	for _, status := range []int{300, 301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			target, targetCalls := stubServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
			})
			location := "http://" + target + "/elsewhere"
			endpoint, calls := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, location+"?AccessKeyId=echoed#frag", status)
			})
			c := clientFor(t, endpoint)

			_, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})

			var re *RedirectError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v (%T), want a *RedirectError", err, err)
			}
			want := RedirectError{Action: ActionDescribeImageInstances, Status: status, Location: location, Endpoint: "http://" + endpoint + "/"}
			if *re != want {
				t.Errorf("RedirectError = %+v, want %+v", *re, want)
			}
			msg := err.Error()
			for _, part := range []string{"HTTP " + strconv.Itoa(status), location, want.Endpoint, "does not redirect", "endpoint, protocol and proxy"} {
				if !strings.Contains(msg, part) {
					t.Errorf("message %q does not contain %q", msg, part)
				}
			}
			if strings.Contains(msg, "echoed") || strings.Contains(msg, "frag") {
				t.Errorf("message %q repeats the Location's query or fragment", msg)
			}
			if got := CategoryOf(err); got != CategoryRedirect {
				t.Errorf("CategoryOf = %v, want %v", got, CategoryRedirect)
			}
			if IsRetryable(err) {
				t.Error("a redirect is retryable")
			}
			if n := calls(); n != 1 {
				t.Errorf("the endpoint saw %d requests, want exactly 1", n)
			}
			if n := targetCalls(); n != 0 {
				t.Errorf("the redirect target received %d requests, want none", n)
			}
		})
	}
}

// A caller's own HTTP client follows redirects by default; New must not let it.
func TestRedirectsAreRefusedWithTheCallersHTTPClient(t *testing.T) {
	target, targetCalls := stubServer(t, func(w http.ResponseWriter, _ *http.Request) {})
	endpoint, calls := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+target+"/", http.StatusTemporaryRedirect)
	})
	caller := &http.Client{Transport: &http.Transport{}}
	c := clientFor(t, endpoint, func(cfg *Config) { cfg.HTTPClient = caller })

	_, err := Call(context.Background(), c, DescribeImageCriteria, "")

	var re *RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v (%T), want a *RedirectError", err, err)
	}
	if calls() != 1 || targetCalls() != 0 {
		t.Errorf("endpoint saw %d requests and the target %d, want 1 and 0", calls(), targetCalls())
	}
	if caller.CheckRedirect != nil {
		t.Error("New changed the caller's client")
	}
}

func TestDescribeLocation(t *testing.T) {
	const endpoint = "https://tds.aliyuncs.com/"
	cases := []struct{ location, want string }{
		{"", ""},
		{"/login", "https://tds.aliyuncs.com/login"},
		{"portal?next=1", "https://tds.aliyuncs.com/portal"},
		{"http://user:pass@10.0.0.1:8080/p?Signature=x#y", "http://10.0.0.1:8080/p"},
		{"//other.example/", "https://other.example/"},
		{"http://[::1", `"http://[::1"`},
	}
	for _, tc := range cases {
		if got := describeLocation(endpoint, tc.location); got != tc.want {
			t.Errorf("describeLocation(%q) = %q, want %q", tc.location, got, tc.want)
		}
	}
}
