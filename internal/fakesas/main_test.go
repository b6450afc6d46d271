package fakesas

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// server is closed and every client transport drops its idle connections.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
