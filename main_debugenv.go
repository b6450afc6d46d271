package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/terraform-sas/terraform-provider-sas/internal/provider"
)

// The Alibaba Cloud libraries linked here read DEBUG once, when their
// packages initialise (github.com/alibabacloud-go/debug), which is before
// main runs. For the entries below they print request headers, credentials
// included, to standard output, and Terraform copies a plugin's standard
// output into its log. So main restarts the binary without those entries.

// debugEnv is the variable the libraries read.
const debugEnv = "DEBUG"

// credentialPrintingDebugEntries are the DEBUG entries whose output carries
// credentials: "tea" and "dara" print the Authorization signature and the
// STS token of every API request; "credential" prints the bearer token of
// CloudSSO and OAuth CLI profiles.
var credentialPrintingDebugEntries = []string{"tea", "dara", "credential"}

// stripDebugEntries splits a DEBUG value exactly as the debug package does
// (on commas, compared verbatim and case-sensitively) and returns it without
// the credential-printing entries, plus those it removed, each once. Other
// entries are kept as they were, in order.
func stripDebugEntries(value string) (kept string, removed []string) {
	var keep []string
	for _, part := range strings.Split(value, ",") {
		if !slices.Contains(credentialPrintingDebugEntries, part) {
			keep = append(keep, part)
			continue
		}
		if !slices.Contains(removed, part) {
			removed = append(removed, part)
		}
	}
	return strings.Join(keep, ","), removed
}

// stripLibraryDebug returns environ with the credential-printing entries
// removed from DEBUG (DEBUG itself dropped when nothing is left) and the
// removed entries recorded in provider.LibraryDebugSuppressedEnv for the
// restarted provider to warn about. When there is nothing to remove it
// returns environ unchanged and no entries.
func stripLibraryDebug(environ []string) (clean []string, removed []string) {
	clean = make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		switch name {
		case debugEnv:
			kept, gone := stripDebugEntries(value)
			for _, g := range gone {
				if !slices.Contains(removed, g) {
					removed = append(removed, g)
				}
			}
			if kept != "" {
				clean = append(clean, debugEnv+"="+kept)
			}
		case provider.LibraryDebugSuppressedEnv:
			// Replaced below, or kept as it was when nothing is removed.
		default:
			clean = append(clean, kv)
		}
	}
	if len(removed) == 0 {
		return environ, nil
	}
	return append(clean, provider.LibraryDebugSuppressedEnv+"="+strings.Join(removed, ",")), removed
}

// restartWithoutLibraryDebug hands environ, cleaned, to exec when DEBUG
// holds a credential-printing entry, and returns nil when it holds none.
// exec replaces the process, so it returns only when the restart failed
// (always on Windows); this process would then print credentials, and the
// error returned says so: the caller must exit instead of serving. The
// restarted process finds nothing to remove, so it restarts at most once.
func restartWithoutLibraryDebug(environ []string, exec func(env []string) error) error {
	env, removed := stripLibraryDebug(environ)
	if len(removed) == 0 {
		return nil
	}
	err := exec(env)
	// Still here: this process would print credentials.
	entries := strings.Join(removed, ",")
	return fmt.Errorf("DEBUG contains %s, which makes the Alibaba Cloud client libraries print credentials, "+
		"and restarting without it failed (%v); remove %s from DEBUG", entries, err, entries)
}

// reexec replaces this process with a fresh run of the same binary and
// arguments under env. It returns only on failure (Windows has no exec).
func reexec(env []string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locating the provider binary: %w", err)
	}
	if err := syscall.Exec(exe, os.Args, env); err != nil {
		return fmt.Errorf("re-executing %s: %w", exe, err)
	}
	return nil
}
