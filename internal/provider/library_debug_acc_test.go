package provider

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// With DEBUG=tea or dara the Alibaba Cloud client libraries print request
// headers, credentials included, to the plugin's standard output, which
// Terraform copies into its log. They read DEBUG before main runs, so only
// the real binary started by the real CLI shows whether main's restart
// keeps them quiet.
func TestAccLibraryDebug_credentialsNeverReachTheTerraformLog(t *testing.T) {
	terraform := requireTerraformCLI(t)
	plugins := buildProviderBinary(t)
	isolateEnv(t) // after the build: it moves HOME, and with it Go's caches

	creds := map[string]fakesas.Credential{"STS.canary": {Secret: secretCanary, SecurityToken: tokenCanary}}
	fake := fakesas.New(fakesas.Options{Images: []fakesas.Image{img("u-1", "r", "1")}, Credentials: creds})
	signatures := &signatureRecorder{}
	srv := httptest.NewServer(signatures.wrap(fake))
	t.Cleanup(func() {
		srv.Close()
		fake.Close()
	})

	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	writeFile(t, filepath.Join(config, "main.tf"), `terraform {
  required_providers {
    sas = { source = "terraform-sas/sas" }
  }
}
provider "sas" {
  endpoint       = "`+strings.TrimPrefix(srv.URL, "http://")+`"
  protocol       = "HTTP"
  access_key     = "STS.canary"
  secret_key     = "`+secretCanary+`"
  security_token = "`+tokenCanary+`"
}
data "sas_image_instances" "all" {}
output "ids" { value = data.sas_image_instances.all.ids }
`)
	cmd := exec.Command(terraform, "-chdir="+config, "plan", "-input=false", "-no-color")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+devOverridesRC(t, dir, plugins), "CHECKPOINT_DISABLE=1",
		"DEBUG=sdk,dara,tea", "TF_LOG=TRACE")
	var out bytes.Buffer // TF_LOG without TF_LOG_PATH logs to stderr: log and output together
	cmd.Stdout, cmd.Stderr = &out, &out
	started := time.Now()
	err := cmd.Run()
	t.Logf("terraform plan ran in %v, %d bytes of log and output", time.Since(started).Round(time.Millisecond), out.Len())
	if logDir := os.Getenv("SAS_TEST_LOG_DIR"); logDir != "" {
		_ = os.WriteFile(filepath.Join(logDir, "library-debug.log"), out.Bytes(), 0o600)
	}
	text := out.String()
	if err != nil {
		t.Fatalf("terraform plan failed: %v\n%s", err, tail(text, 4000))
	}
	if !strings.Contains(text, "u-1") || fake.Calls("DescribeImageInstances") == 0 {
		t.Fatalf("the plan did not read the image through the provider: the test proves nothing\n%s", tail(text, 4000))
	}
	sent := signatures.all()
	if len(sent) == 0 {
		t.Fatal("no signed request reached the fake")
	}
	if !strings.Contains(text, "provider.terraform-provider-sas") {
		t.Fatal("the provider's log lines are not in the TRACE log: the test proves nothing")
	}

	requireNoCanary(t, "the Terraform log and output", text)
	for _, sig := range sent {
		if strings.Contains(text, sig) {
			t.Errorf("the Terraform log and output contain an Authorization signature (%s…)", sig[:8])
		}
	}
	if strings.Contains(text, "x-acs-security-token") {
		t.Error("the Terraform log shows the library's header dump (x-acs-security-token)")
	}
	if n := warnLines(text, "Alibaba Cloud library debug output suppressed: removed dara,tea from DEBUG"); n != 1 {
		t.Errorf("%d WARN lines say the library debug output was suppressed, want 1", n)
	}
}

// warnLines counts the log lines at WARN that contain message.
func warnLines(log, message string) int {
	n := 0
	for line := range strings.Lines(log) {
		if strings.Contains(line, "[WARN]") && strings.Contains(line, message) {
			n++
		}
	}
	return n
}

// signatureRecorder keeps the signature of every Authorization header it
// sees before handing the request on.
type signatureRecorder struct {
	mu   sync.Mutex
	sigs []string
}

func (s *signatureRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, sig, ok := strings.Cut(r.Header.Get("Authorization"), "Signature="); ok && sig != "" {
			s.mu.Lock()
			s.sigs = append(s.sigs, sig)
			s.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (s *signatureRecorder) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sigs...)
}

// requireTerraformCLI returns the CLI acceptance tests run, or skips.
func requireTerraformCLI(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		t.Skip("needs TF_ACC_TERRAFORM_PATH (make test sets it)")
	}
	return terraform
}

// buildProviderBinary builds the provider into a plugin directory of its own.
func buildProviderBinary(t *testing.T) string {
	t.Helper()
	plugins := filepath.Join(t.TempDir(), "plugins")
	started := time.Now()
	build := exec.Command("go", "build", "-o", filepath.Join(plugins, "terraform-provider-sas"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	t.Logf("built the provider in %v", time.Since(started).Round(time.Millisecond))
	return plugins
}

// devOverridesRC writes a CLI configuration that takes terraform-sas/sas
// from plugins, under Terraform and OpenTofu, and returns its path.
func devOverridesRC(t *testing.T, dir, plugins string) string {
	t.Helper()
	rc := filepath.Join(dir, "terraformrc")
	writeFile(t, rc, "provider_installation {\n  dev_overrides {\n    \"terraform-sas/sas\" = \""+plugins+"\"\n    \"registry.opentofu.org/terraform-sas/sas\" = \""+plugins+"\"\n  }\n  direct {}\n}\n")
	return rc
}

// tail is the end of s, for failure messages, without the canaries.
func tail(s string, n int) string {
	s = strings.NewReplacer(secretCanary, "<secret>", tokenCanary, "<token>").Replace(s)
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
