package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseReadsBlocksAndUnescapes(t *testing.T) {
	in := `# comment
id: S1
title: first
file: a.go
find: if x {\n\treturn
replace:
package: ./internal/x
run: TestA

id: S2
title: second
file: b.go
find: y
replace: z
package: ./p
run: TestB
acc: true
`
	got, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d mutations, want 2", len(got))
	}
	if got[0].Find != "if x {\n\treturn" || got[0].Replace != "" || got[0].Acc {
		t.Errorf("first mutation = %+v", got[0])
	}
	if got[1].Replace != "z" || !got[1].Acc || got[1].Package != "./p" {
		t.Errorf("second mutation = %+v", got[1])
	}
}

func TestParseRejectsIncompleteBlocks(t *testing.T) {
	for name, in := range map[string]string{
		"no run":     "id: X\ntitle: t\nfile: f\nfind: a\nreplace: b\npackage: p\n",
		"no replace": "id: X\ntitle: t\nfile: f\nfind: a\npackage: p\nrun: R\n",
		"not a pair": "id X\n",
	} {
		if _, err := parse(strings.NewReader(in)); err == nil {
			t.Errorf("%s: parse accepted %q", name, in)
		}
	}
}

func TestMarkdownTableNamesEachTest(t *testing.T) {
	got := markdownTable([]mutation{
		{ID: "S1", Title: "a title", File: "a.go", Run: "^TestA$|^TestB_"},
		{ID: "S2", Title: "another", File: "b.go", Run: "^(TestC|TestD)$"},
	})
	want := "| id | mutation | killed by |\n|---|---|---|\n| S1 | a title (`a.go`) | `TestA`, `TestB_*` |\n" +
		"| S2 | another (`b.go`) | `TestC`, `TestD` |\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestReliabilityListsEveryCuratedMutation: RELIABILITY.md's table is the
// one -table prints for mutations.txt, so a mutation added, moved or
// renamed cannot leave the document behind.
func TestReliabilityListsEveryCuratedMutation(t *testing.T) {
	mutations, err := parseFile("mutations.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "RELIABILITY.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := markdownTable(mutations); !strings.Contains(string(doc), want) {
		t.Errorf("RELIABILITY.md does not hold the table of mutations.txt; paste the output of `go run ./scripts/mutate -table`:\n%s", want)
	}
}

// TestEveryCuratedMutationFindsItsCode: a change to the code under a
// mutation fails here, in make test, not only in the next make mutate.
func TestEveryCuratedMutationFindsItsCode(t *testing.T) {
	mutations, err := parseFile("mutations.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mutations {
		src, err := os.ReadFile(filepath.Join("..", "..", m.File))
		if err != nil {
			t.Errorf("%s: %v", m.ID, err)
			continue
		}
		if err := located(m, string(src)); err != nil {
			t.Errorf("%s is stale: %v", m.ID, err)
		}
	}
}

// TestReliabilityNamesOnlyExistingTests: every test RELIABILITY.md cites
// exists (a name ending in * or _ is a prefix of one).
func TestReliabilityNamesOnlyExistingTests(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "RELIABILITY.md"))
	if err != nil {
		t.Fatal(err)
	}
	defined := testFunctions(t, filepath.Join("..", ".."))
	cited := regexp.MustCompile("`((?:Test|Fuzz|Benchmark)[A-Za-z0-9_]*)(\\*?)`").FindAllStringSubmatch(string(doc), -1)
	if len(cited) < 50 {
		t.Fatalf("found %d cited tests in RELIABILITY.md; the pattern no longer reads it", len(cited))
	}
	for _, c := range cited {
		name, prefix := c[1], c[2] == "*" || strings.HasSuffix(c[1], "_")
		found := defined[name] || (prefix && anyHasPrefix(defined, name))
		if !found {
			t.Errorf("RELIABILITY.md cites %s, which no _test.go file defines", c[0])
		}
	}
}

// testFunctions returns the names of the top-level test, fuzz and
// benchmark functions of every _test.go file under root.
func testFunctions(t *testing.T, root string) map[string]bool {
	t.Helper()
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)[A-Za-z0-9_]*)\(`)
	names := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			names[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func anyHasPrefix(names map[string]bool, prefix string) bool {
	for n := range names {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}
