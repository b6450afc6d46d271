package main

import (
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
