// Command mutate applies the curated safeguard mutations in
// scripts/mutate/mutations.txt one at a time and runs the tests that should
// catch each. It fails if a mutation survives (its tests pass) or has gone
// stale (its code no longer appears exactly once, so it must be updated
// with the code it guards). Each set of tests first runs once unmutated:
// tests that fail anyway cannot be said to kill anything.
//
// The source tree is never written: each mutated file is handed to the Go
// toolchain through `go test -overlay`, so an interrupted run leaves nothing
// behind. Tests that build a separate provider binary do not see overlays;
// the curated tests avoid them.
//
// Run it from the repository root: `make mutate` (or `go run ./scripts/mutate`).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// mutation is one statement-level change and the tests that must catch it.
type mutation struct {
	ID      string
	Title   string
	File    string
	Find    string
	Replace string
	Package string
	Run     string // go test -run pattern
	Acc     bool   // the tests need TF_ACC and a Terraform CLI
}

type outcome struct {
	m       mutation
	status  string // killed, survived, stale, error
	elapsed time.Duration
	detail  string
}

func main() {
	file := flag.String("file", "scripts/mutate/mutations.txt", "curated mutations")
	only := flag.String("only", "", "run only the mutation with this id")
	list := flag.Bool("list", false, "print the mutations and exit")
	table := flag.Bool("table", false, "print the mutations as RELIABILITY.md's Markdown table and exit")
	flag.Parse()

	mutations, err := parseFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(2)
	}
	if *table {
		fmt.Print(markdownTable(mutations))
		return
	}
	if *list {
		for _, m := range mutations {
			fmt.Printf("%-4s %-60s %s -run '%s'\n", m.ID, m.Title, m.Package, m.Run)
		}
		return
	}
	ctx := context.Background()
	var selected []mutation
	for _, m := range mutations {
		if *only == "" || m.ID == *only {
			selected = append(selected, m)
		}
	}
	failing := baseline(ctx, selected)
	var outcomes []outcome
	for _, m := range selected {
		o := outcome{m: m, status: "error", detail: "its tests fail without the mutation, so they prove nothing:\n" + failing[m.tests()]}
		if _, bad := failing[m.tests()]; !bad {
			o = runOne(ctx, m)
		}
		fmt.Printf("%-8s %-4s %-60s (%s)\n", strings.ToUpper(o.status), m.ID, m.Title, o.elapsed.Round(time.Second))
		if o.status != "killed" && o.detail != "" {
			fmt.Println(indent(o.detail))
		}
		outcomes = append(outcomes, o)
	}
	killed := 0
	for _, o := range outcomes {
		if o.status == "killed" {
			killed++
		}
	}
	fmt.Printf("\ncurated mutations: %d killed of %d\n", killed, len(outcomes))
	if killed != len(outcomes) {
		os.Exit(1)
	}
}

// tests identifies the test run of a mutation.
func (m mutation) tests() string {
	return fmt.Sprintf("%s -run '%s' (acc %v)", m.Package, m.Run, m.Acc)
}

// baseline runs each mutation's tests once on the unmutated code and
// returns the output of those that fail: a mutation only counts as killed
// by tests that pass without it.
func baseline(ctx context.Context, mutations []mutation) map[string]string {
	failing := map[string]string{}
	seen := map[string]bool{}
	for _, m := range mutations {
		if seen[m.tests()] {
			continue
		}
		seen[m.tests()] = true
		if out, err := goTest(ctx, m, ""); err != nil || strings.Contains(out, "no tests to run") {
			failing[m.tests()] = lastLines(out, 10)
		}
	}
	fmt.Printf("baseline: %d of %d test runs pass without a mutation\n\n", len(seen)-len(failing), len(seen))
	return failing
}

// parseFile reads blocks of "key: value" lines separated by blank lines.
// Values may continue on lines that start with a tab; `\n` and `\t` in find
// and replace stand for a newline and a tab.
func parseFile(path string) ([]mutation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(f)
}

func parse(r io.Reader) ([]mutation, error) {
	var out []mutation
	cur := map[string]string{}
	flush := func(line int) error {
		if len(cur) == 0 {
			return nil
		}
		m, err := fromFields(cur)
		if err != nil {
			return fmt.Errorf("block ending at line %d: %w", line, err)
		}
		out = append(out, m)
		cur = map[string]string{}
		return nil
	}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case strings.HasPrefix(text, "#"):
			continue
		case strings.TrimSpace(text) == "":
			if err := flush(line); err != nil {
				return nil, err
			}
		default:
			key, value, ok := strings.Cut(text, ":")
			if !ok {
				return nil, fmt.Errorf("line %d: want key: value", line)
			}
			cur[strings.TrimSpace(key)] = strings.TrimSpace(value)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(line); err != nil {
		return nil, err
	}
	return out, nil
}

func fromFields(f map[string]string) (mutation, error) {
	unescape := strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace
	m := mutation{
		ID: f["id"], Title: f["title"], File: f["file"], Find: unescape(f["find"]), Replace: unescape(f["replace"]),
		Package: f["package"], Run: f["run"], Acc: f["acc"] == "true",
	}
	for k, v := range map[string]string{"id": m.ID, "title": m.Title, "file": m.File, "find": m.Find, "package": m.Package, "run": m.Run} {
		if v == "" {
			return m, fmt.Errorf("missing %s", k)
		}
	}
	if _, ok := f["replace"]; !ok {
		return m, fmt.Errorf("%s: missing replace (it may be empty)", m.ID)
	}
	return m, nil
}

// located checks that the code to mutate appears exactly once in src, the
// file's text; otherwise the mutation is stale.
func located(m mutation, src string) error {
	if n := strings.Count(src, m.Find); n != 1 {
		return fmt.Errorf("the code to mutate appears %d times in %s (want exactly 1): update the mutation with the code", n, m.File)
	}
	return nil
}

func runOne(ctx context.Context, m mutation) outcome {
	start := time.Now()
	o := outcome{m: m}
	defer func() { o.elapsed = time.Since(start) }()
	src, err := os.ReadFile(m.File)
	if err != nil {
		o.status, o.detail = "error", err.Error()
		return o
	}
	if err := located(m, string(src)); err != nil {
		o.status, o.detail = "stale", err.Error()
		return o
	}
	overlay, cleanup, err := writeOverlay(m, strings.Replace(string(src), m.Find, m.Replace, 1))
	if err != nil {
		o.status, o.detail = "error", err.Error()
		return o
	}
	defer cleanup()
	out, err := goTest(ctx, m, overlay)
	o.elapsed = time.Since(start)
	var exit *exec.ExitError
	switch {
	case err == nil && strings.Contains(out, "no tests to run"):
		o.status, o.detail = "error", "the -run pattern matches no test"
	case err == nil:
		o.status, o.detail = "survived", lastLines(out, 5)
	case errors.As(err, &exit) && strings.Contains(out, "--- FAIL"):
		o.status = "killed"
	case errors.As(err, &exit) && strings.Contains(out, "[build failed]"):
		o.status, o.detail = "error", "the mutated code does not compile:\n"+lastLines(out, 10)
	case errors.As(err, &exit):
		o.status = "killed" // a panic or timeout in the tests counts as caught
	default:
		o.status, o.detail = "error", err.Error()
	}
	return o
}

func writeOverlay(m mutation, mutated string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	abs, err := filepath.Abs(m.File)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	mutatedPath := filepath.Join(dir, filepath.Base(m.File))
	if err := os.WriteFile(mutatedPath, []byte(mutated), 0o600); err != nil {
		cleanup()
		return "", nil, err
	}
	spec, _ := json.Marshal(map[string]map[string]string{"Replace": {abs: mutatedPath}})
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, spec, 0o600); err != nil {
		cleanup()
		return "", nil, err
	}
	return overlay, cleanup, nil
}

func goTest(ctx context.Context, m mutation, overlay string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	args := []string{"test", "-count=1", "-run", m.Run}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, m.Package)...)
	cmd.Env = os.Environ()
	if m.Acc {
		cmd.Env = append(cmd.Env, "TF_ACC=1")
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// markdownTable lists each mutation with the tests that kill it.
func markdownTable(mutations []mutation) string {
	var b strings.Builder
	b.WriteString("| id | mutation | killed by |\n|---|---|---|\n")
	for _, m := range mutations {
		// Patterns are ^A$|^B_ or ^(A|B)$; a name without $ is a prefix.
		run, grouped := strings.CutPrefix(m.Run, "^(")
		if grouped {
			run, grouped = strings.CutSuffix(run, ")$")
		}
		tests := strings.Split(run, "|")
		for i, t := range tests {
			name, exact := strings.CutSuffix(strings.TrimPrefix(t, "^"), "$")
			if !exact && !grouped {
				name += "*"
			}
			tests[i] = "`" + name + "`"
		}
		fmt.Fprintf(&b, "| %s | %s (`%s`) | %s |\n", m.ID, m.Title, m.File, strings.Join(tests, ", "))
	}
	return b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
