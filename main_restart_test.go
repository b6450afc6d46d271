package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/provider"
)

// These tests run the provider's real main, restart included, in a child
// process started from this test binary: the Alibaba Cloud libraries read
// DEBUG before main, so only a process of its own shows what main does with
// it. The test binary is built with any -overlay the mutation runner
// passes; a separately built provider would not be.

// mainChildEnv makes the test binary run main instead of its tests:
// "serve" runs it as is; "restart-fails" first deletes the binary, so that
// main's restart cannot execute it.
const mainChildEnv = "SAS_TEST_MAIN_CHILD"

// pluginCookie is the handshake cookie Terraform hands its plugins
// (terraform-plugin-go's tf6server); without it the plugin server refuses
// to start, and main would exit 1 whether or not it meant to.
const pluginCookie = "TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

// childDeadline bounds each run of main, well under the suite's timeout.
const childDeadline = 15 * time.Second

// handshake matches go-plugin's line announcing that the provider serves
// (protocol version 6).
var handshake = regexp.MustCompile(`^1\|6\|`)

func TestMain(m *testing.M) {
	mode := os.Getenv(mainChildEnv)
	if mode == "" {
		os.Exit(m.Run())
	}
	if mode == "restart-fails" && runtime.GOOS != "windows" { // Windows cannot exec at all
		exe, err := os.Executable()
		if err == nil {
			err = os.Remove(exe)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "test child: deleting its own binary:", err)
			os.Exit(3)
		}
	}
	// Each process, the restarted one too, says what it started with.
	fmt.Printf("main started: DEBUG=%q %s=%q\n", os.Getenv(debugEnv),
		provider.LibraryDebugSuppressedEnv, os.Getenv(provider.LibraryDebugSuppressedEnv))
	main()
	os.Exit(0) // as the provider binary does when main returns
}

func TestMainRefusesToServeWhenTheRestartFails(t *testing.T) {
	exe := copyOfTestBinary(t)
	run := runMain(t, exe, "restart-fails", "DEBUG=tea")

	if run.served {
		t.Fatalf("the provider served with DEBUG=tea on after its restart failed\nstderr:\n%s", run.stderr)
	}
	if !slices.Contains(run.stdout, `main started: DEBUG="tea" SAS_DEBUG_SUPPRESSED=""`) {
		t.Fatalf("main did not run in the child: the test proves nothing\nstdout:\n%s\nstderr:\n%s", strings.Join(run.stdout, "\n"), run.stderr)
	}
	var exit *exec.ExitError
	if !errors.As(run.err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("the provider ended with %v after its restart failed, want exit status 1", run.err)
	}
	for _, want := range []string{
		"[ERROR] terraform-provider-sas: DEBUG contains tea, which makes the Alibaba Cloud client libraries print credentials",
		"restarting without it failed (re-executing " + exe,
		"remove tea from DEBUG",
	} {
		if !strings.Contains(run.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, run.stderr)
		}
	}
	if strings.Contains(run.stderr, "terraform-provider-sas dev (commit") {
		t.Errorf("main went on towards serving after the failed restart:\n%s", run.stderr)
	}
}

func TestMainRestartsWithoutTheLibraryDebugEntries(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot exec: the provider refuses to start instead")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := runMain(t, exe, "serve", "DEBUG=tea,foo")

	want := []string{
		`main started: DEBUG="tea,foo" SAS_DEBUG_SUPPRESSED=""`,
		`main started: DEBUG="foo" SAS_DEBUG_SUPPRESSED="tea"`,
	}
	if !slices.Equal(run.stdout, want) {
		t.Errorf("before serving, stdout was\n%s\nwant the provider restarted once, without tea:\n%s", strings.Join(run.stdout, "\n"), strings.Join(want, "\n"))
	}
	if !run.served {
		t.Errorf("the restarted provider did not serve (%v)\nstderr:\n%s", run.err, tailOf(run.stderr, 2000))
	}
}

// mainRun is what a child running main showed.
type mainRun struct {
	stdout []string // the lines before the plugin handshake
	served bool     // it printed the plugin handshake, and was then stopped
	stderr string
	err    error // how it ended
}

// runMain runs main in a child started from exe in mode, with extra in its
// environment, until it exits, prints the plugin handshake, or starts main
// more often than one restart can.
func runMain(t *testing.T, exe, mode string, extra ...string) mainRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), childDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	// The plugin server's socket goes to TMPDIR; stopped, it cannot remove it.
	cmd.Env = append(mainChildEnviron(mode, extra...), "TMPDIR="+t.TempDir())
	cmd.WaitDelay = time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting main in a child: %v", err)
	}
	var run mainRun
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if handshake.MatchString(lines.Text()) {
			run.served = true
			_ = cmd.Process.Kill()
			break
		}
		run.stdout = append(run.stdout, lines.Text())
		if len(run.stdout) > 2 { // one "main started" line per process
			_ = cmd.Process.Kill()
			break
		}
	}
	run.err = cmd.Wait()
	run.stderr = stderr.String()
	if ctx.Err() != nil {
		t.Fatalf("main in the child neither served nor exited within %v\nstdout (%d lines):\n%s\nstderr:\n%s",
			childDeadline, len(run.stdout), strings.Join(run.stdout[:min(len(run.stdout), 5)], "\n"), tailOf(run.stderr, 2000))
	}
	return run
}

// copyOfTestBinary copies this test binary into a directory of the test's,
// for a child that deletes it.
func copyOfTestBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	exe := filepath.Join(t.TempDir(), filepath.Base(self))
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o700)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatalf("copying the test binary: %v", err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// mainChildEnviron is this process's environment without the variables the
// child's behaviour depends on, plus mode and the plugin cookie and extra.
func mainChildEnviron(mode string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case debugEnv, provider.LibraryDebugSuppressedEnv, mainChildEnv, "TF_PLUGIN_MAGIC_COOKIE":
		default:
			env = append(env, kv)
		}
	}
	return append(append(env, mainChildEnv+"="+mode, pluginCookie), extra...)
}

// tailOf is the end of s, for failure messages.
func tailOf(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
