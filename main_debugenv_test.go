package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestStripLibraryDebug(t *testing.T) {
	const marker = "SAS_DEBUG_SUPPRESSED="
	cases := []struct {
		name        string
		environ     []string
		want        []string
		wantRemoved []string
	}{
		{"no DEBUG", []string{"A=1"}, []string{"A=1"}, nil},
		{"empty DEBUG", []string{"DEBUG="}, []string{"DEBUG="}, nil},
		{"other tools only", []string{"DEBUG=sdk,http"}, []string{"DEBUG=sdk,http"}, nil},
		{"tea alone drops DEBUG", []string{"A=1", "DEBUG=tea", "B=2"}, []string{"A=1", "B=2", marker + "tea"}, []string{"tea"}},
		{"the issue's list keeps sdk", []string{"DEBUG=sdk,dara,tea"}, []string{"DEBUG=sdk", marker + "dara,tea"}, []string{"dara", "tea"}},
		{"credential prints bearer tokens", []string{"DEBUG=credential,x"}, []string{"DEBUG=x", marker + "credential"}, []string{"credential"}},
		{"repeats are removed and named once", []string{"DEBUG=tea,x,tea"}, []string{"DEBUG=x", marker + "tea"}, []string{"tea"}},
		{"empty parts are kept verbatim", []string{"DEBUG=,tea,,y"}, []string{"DEBUG=,,y", marker + "tea"}, []string{"tea"}},
		{"only empty parts left drops DEBUG", []string{"DEBUG=,tea"}, []string{marker + "tea"}, []string{"tea"}},
		// The debug package compares verbatim: these never enable it.
		{"padded entry is not the library's", []string{"DEBUG= tea,dara "}, []string{"DEBUG= tea,dara "}, nil},
		{"upper case is not the library's", []string{"DEBUG=TEA,Dara"}, []string{"DEBUG=TEA,Dara"}, nil},
		{"a longer name is not the library's", []string{"DEBUG=teapot,darab"}, []string{"DEBUG=teapot,darab"}, nil},
		{"other variables are not DEBUG", []string{"XDEBUG=tea", "DEBUG_X=dara"}, []string{"XDEBUG=tea", "DEBUG_X=dara"}, nil},
		{"a stale marker is replaced", []string{marker + "old", "DEBUG=dara"}, []string{marker + "dara"}, []string{"dara"}},
		{"a marker is left alone when nothing is removed", []string{marker + "old", "DEBUG=sdk"}, []string{marker + "old", "DEBUG=sdk"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, removed := stripLibraryDebug(slices.Clone(tc.environ))
			if !slices.Equal(got, tc.want) || !slices.Equal(removed, tc.wantRemoved) {
				t.Errorf("stripLibraryDebug(%q) = %q, removed %q; want %q, removed %q", tc.environ, got, removed, tc.want, tc.wantRemoved)
			}
			// The restarted process must find nothing to remove: no loop.
			if again, removed := stripLibraryDebug(got); removed != nil || !slices.Equal(again, got) {
				t.Errorf("a second pass over %q removed %q", got, removed)
			}
		})
	}
}

func TestRestartWithoutLibraryDebug_nothingToRemoveServesAsIs(t *testing.T) {
	for _, environ := range [][]string{{"A=1"}, {"DEBUG=sdk"}, {"DEBUG=TEA"}} {
		err := restartWithoutLibraryDebug(environ, func([]string) error {
			t.Errorf("with %q the provider restarted", environ)
			return nil
		})
		if err != nil {
			t.Errorf("with %q: %v", environ, err)
		}
	}
}

func TestRestartWithoutLibraryDebug_restartsWithTheCleanedEnvironment(t *testing.T) {
	var restarts [][]string
	err := restartWithoutLibraryDebug([]string{"A=1", "DEBUG=tea,foo"}, func(env []string) error {
		restarts = append(restarts, env)
		return errors.New("exec format error")
	})
	if err == nil {
		t.Error("a failed restart was not reported")
	}
	want := [][]string{{"A=1", "DEBUG=foo", "SAS_DEBUG_SUPPRESSED=tea"}}
	if !slices.EqualFunc(restarts, want, slices.Equal) {
		t.Errorf("restarted with %q, want %q", restarts, want)
	}
}

// exec returns only when it could not replace the process; whatever it
// returns, the process still has the debug switch on and must not serve.
func TestRestartWithoutLibraryDebug_aRestartThatReturnsStopsTheProvider(t *testing.T) {
	cases := []struct {
		name    string
		execErr error
	}{
		{"exec failed", errors.New("re-executing /bin/provider: not supported by windows")},
		{"exec returned nil", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := restartWithoutLibraryDebug([]string{"DEBUG=sdk,dara,tea"}, func([]string) error { return tc.execErr })
			if err == nil {
				t.Fatal("the provider would serve with DEBUG=dara,tea still set")
			}
			msg := err.Error()
			for _, want := range []string{
				"DEBUG contains dara,tea, which makes the Alibaba Cloud client libraries print credentials",
				"restarting without it failed",
				"remove dara,tea from DEBUG",
			} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error %q does not say %q", msg, want)
				}
			}
			if tc.execErr != nil && !strings.Contains(msg, tc.execErr.Error()) {
				t.Errorf("the error %q hides why the restart failed (%v)", msg, tc.execErr)
			}
		})
	}
}
