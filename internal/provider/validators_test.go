package provider

import (
	"strings"
	"testing"
)

// An endpoint is host[:port] with a port from 1 to 65535, checked at both
// ends of the range.
func TestCheckEndpoint(t *testing.T) {
	cases := []struct {
		endpoint string
		wantErr  string // "" when accepted
	}{
		{"tds.aliyuncs.com", ""},
		{"127.0.0.1:1", ""},
		{"127.0.0.1:65535", ""},
		{"[::1]:8443", ""},
		{"127.0.0.1:0", `port "0" is not a number from 1 to 65535`},
		{"127.0.0.1:65536", `port "65536" is not a number from 1 to 65535`},
		{"127.0.0.1:http", `port "http" is not a number`},
		{":8443", "the host is empty"},
		{"", "must not be empty"},
	}
	for _, tc := range cases {
		err := checkEndpoint(tc.endpoint)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("checkEndpoint(%q) = %v, want it accepted", tc.endpoint, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("checkEndpoint(%q) = %v, want an error saying %q", tc.endpoint, err, tc.wantErr)
		}
	}
}
