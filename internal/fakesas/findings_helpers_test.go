package fakesas

import (
	"maps"
	"strconv"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
)

// listOf reads the list field of an answer as rows.
func listOf(t *testing.T, body map[string]any, field string) []map[string]any {
	t.Helper()
	list, ok := body[field].([]any)
	if !ok {
		t.Fatalf("answer has no list %s: %v", field, body)
	}
	out := make([]map[string]any, len(list))
	for k, item := range list {
		out[k] = item.(map[string]any)
	}
	return out
}

// readAllPages reads every page of a listing at pageSize through the real
// client, holding each page's PageInfo to the rows it carries, and
// returns the rows and the number of pages read.
func readAllPages(t *testing.T, client *openapi.Client, action, field string, query map[string]string, pageSize int) ([]map[string]any, int) {
	t.Helper()
	var rows []map[string]any
	total := -1
	for page := 1; ; page++ {
		q := maps.Clone(query)
		if q == nil {
			q = map[string]string{}
		}
		q["CurrentPage"], q["PageSize"] = strconv.Itoa(page), strconv.Itoa(pageSize)
		body := mustCall(t, client, action, q)
		got := listOf(t, body, field)
		info := pageNumbers(t, body)
		if info["CurrentPage"] != page || info["Count"] != len(got) || info["PageSize"] != pageSize {
			t.Fatalf("%s page %d of %d rows: PageInfo %v", action, page, len(got), info)
		}
		if total >= 0 && info["TotalCount"] != total {
			t.Fatalf("%s page %d: TotalCount %d, was %d", action, page, info["TotalCount"], total)
		}
		total = info["TotalCount"]
		rows = append(rows, got...)
		if len(got) < pageSize {
			if len(rows) != total {
				t.Fatalf("%s: %d rows over %d pages, TotalCount %d", action, len(rows), page, total)
			}
			return rows, page
		}
	}
}

// withQuery returns base with extra set (a copy).
func withQuery(base map[string]string, extra ...string) map[string]string {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	for k := 0; k+1 < len(extra); k += 2 {
		out[extra[k]] = extra[k+1]
	}
	return out
}

// pageNumbers reads the numbers of PageInfo, numeric strings included.
func pageNumbers(t *testing.T, body map[string]any) map[string]int {
	t.Helper()
	info, ok := body["PageInfo"].(map[string]any)
	if !ok {
		t.Fatalf("no PageInfo in %v", body)
	}
	out := map[string]int{}
	for _, k := range []string{"Count", "CurrentPage", "PageSize", "TotalCount"} {
		n, err := strconv.Atoi(fieldString(info[k]))
		if err != nil {
			t.Fatalf("PageInfo.%s = %v is not an int", k, info[k])
		}
		out[k] = n
	}
	return out
}
