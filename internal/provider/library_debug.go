package provider

import (
	"context"
	"os"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// LibraryDebugSuppressedEnv is set by main, for the provider it restarts, to
// the DEBUG entries it removed because the Alibaba Cloud client libraries
// would print credentials with them (comma-separated).
const LibraryDebugSuppressedEnv = "SAS_DEBUG_SUPPRESSED"

var libraryDebugWarning sync.Once

// warnLibraryDebugSuppressed tells the user, once per process, why the
// library debug output they asked for is missing.
func warnLibraryDebugSuppressed(ctx context.Context) {
	removed := os.Getenv(LibraryDebugSuppressedEnv)
	if removed == "" {
		return
	}
	libraryDebugWarning.Do(func() {
		tflog.Warn(ctx, "Alibaba Cloud library debug output suppressed: removed "+removed+" from DEBUG because with it the client libraries "+
			"print every request's headers, the Authorization signature and the STS security token included, into the Terraform log; "+
			"other DEBUG entries are kept")
	})
}
