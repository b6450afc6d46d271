package provider

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: a
// Configure, a Read or an in-process provider server that does not clean
// up after itself would pile up in a long-lived Terraform process.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
