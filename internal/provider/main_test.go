package provider

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: a
// Configure, a Read or an in-process provider server that does not clean
// up after itself would pile up in a long-lived Terraform process.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// terraform-plugin-testing's in-process server copies the plugin's
		// stdout and stderr until their pipes close, which can be a moment
		// after the last test returns; they are go-plugin's, not ours.
		goleak.IgnoreAnyFunction("github.com/hashicorp/go-plugin.copyChan"),
	)
}
