package provider

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// testProviderFactories runs the provider in-process, so tests can point it
// at a fake SAS API started by the test itself.
var testProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"sas": providerserver.NewProtocol6WithError(New("test")()),
}

// providerEnvVars are every variable the provider or the default
// credential chain reads. Tests clear them so the developer's own
// environment never leaks in (and the chain never reaches for the ECS
// metadata service).
func providerEnvVars() []string {
	out := slices.Clone(credentialChainEnv)
	for _, a := range providerArguments {
		out = append(out, a.env...)
	}
	return out
}

// isolateEnv clears the provider's environment for one test and keeps the
// default credential chain away from the network and the user's files.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, name := range providerEnvVars() {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
}

// startFake starts a fake SAS API for one test.
func startFake(t *testing.T, opts fakesas.Options) *fakesas.Server {
	t.Helper()
	s, err := fakesas.Start(opts)
	if err != nil {
		t.Fatalf("starting fake SAS API: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// providerConfig is a provider block pointing at the fake with its test
// credentials; extra lines are added inside the block.
func providerConfig(s *fakesas.Server, extra ...string) string {
	return fmt.Sprintf(`
provider "sas" {
  endpoint   = %q
  protocol   = "HTTP"
  access_key = %q
  secret_key = %q
  %s
}
`, s.Endpoint(), fakesas.TestAccessKey, fakesas.TestSecretKey, strings.Join(extra, "\n  "))
}

// accTest runs an acceptance test with an isolated environment.
func accTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	isolateEnv(t)
	stopWithin(t, accDeadline, "the Terraform run")
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
}

// accDeadline bounds one acceptance test, well under the suite's timeout.
const accDeadline = 3 * time.Minute

// stopWithin ends the test binary when the test has not finished within
// d, naming what did not stop: a timeout that is no longer honoured then
// fails in seconds or minutes, not when the whole suite times out. (A test
// cannot fail itself from another goroutine, and a hung Terraform run
// does not return to it.)
func stopWithin(t *testing.T, d time.Duration, what string) {
	t.Helper()
	name := t.Name()
	timer := time.AfterFunc(d, func() {
		panic(fmt.Sprintf("%s: %s did not stop within %s", name, what, d))
	})
	t.Cleanup(func() { timer.Stop() })
}

// errorMatching builds an ExpectError regexp from literal fragments that must
// appear in order; Terraform wraps long messages, so any whitespace matches
// any whitespace.
func errorMatching(fragments ...string) *regexp.Regexp {
	quoted := make([]string, len(fragments))
	for k, f := range fragments {
		words := strings.Fields(f)
		for w := range words {
			words[w] = regexp.QuoteMeta(words[w])
		}
		quoted[k] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}
