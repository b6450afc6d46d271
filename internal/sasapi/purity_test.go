package sasapi

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// providerSettings are the provider's argument names. The client must not
// name them (nor environment variables): telling a user which setting to
// change is the provider's job, and the client must stay usable without it.
var providerSettings = []string{
	"access_key", "secret_key", "security_token", "assume_role", "role_arn", "session_name",
	"external_id", "session_expiration", "ecs_role_name", "shared_credentials_file",
	"ca_bundle_file", "max_retries", "max_concurrency", "connect_timeout", "read_timeout",
	"retry_timeout", "page_size", "max_results", "logical_exp", "with_cve_details", "image_uuids",
	// One-word settings count only when quoted as a setting: as prose
	// ("the endpoint") they are the client's own vocabulary.
	"`endpoint`", "`region`", "`protocol`", "`profile`", "`criteria`", "`scanned`",
}

// environmentVariable matches the variables the provider, Terraform or the
// standard library read.
var environmentVariable = regexp.MustCompile(`\b(ALIBABA_CLOUD_|ALICLOUD_|SAS_|TF_)[A-Z_]+\b|\b(HTTPS?|NO|ALL)_PROXY\b`)

func TestClientNamesNoProviderSettingOrEnvironmentVariable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") || file == "hint_deprecated.go" {
			continue
		}
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for n, line := range strings.Split(string(body), "\n") {
			for _, setting := range providerSettings {
				if containsWord(line, setting) {
					t.Errorf("%s:%d names the provider setting %s: %s", file, n+1, setting, strings.TrimSpace(line))
				}
			}
			if m := environmentVariable.FindString(line); m != "" {
				t.Errorf("%s:%d names the environment variable %s: %s", file, n+1, m, strings.TrimSpace(line))
			}
		}
	}
	if checked < 5 {
		t.Fatalf("checked only %d files; is the test running in the package directory?", checked)
	}
}

// containsWord reports word in line, not as part of a longer identifier
// ("page_size" is not in "max_page_size_hint").
func containsWord(line, word string) bool {
	for i := 0; ; {
		k := strings.Index(line[i:], word)
		if k < 0 {
			return false
		}
		start, end := i+k, i+k+len(word)
		if (start == 0 || !isIdentByte(line[start-1])) && (end == len(line) || !isIdentByte(line[end])) {
			return true
		}
		i = start + 1
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func TestContainsWord(t *testing.T) {
	cases := []struct {
		line, word string
		want       bool
	}{
		{`check secret_key / X`, "secret_key", true},
		{`"secret_key"`, "secret_key", true},
		{`secret_key`, "secret_key", true},
		{`a_secret_key`, "secret_key", false},
		{`secret_keys`, "secret_key", false},
		{"set `endpoint`.", "`endpoint`", true},
		{"the endpoint", "`endpoint`", false},
	}
	for _, tc := range cases {
		if got := containsWord(tc.line, tc.word); got != tc.want {
			t.Errorf("containsWord(%q, %q) = %v, want %v", tc.line, tc.word, got, tc.want)
		}
	}
}
