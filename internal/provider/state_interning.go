package provider

import "reflect"

// Which values the state encoder shares between list elements. Whatever
// these answer, the state written is the same (TestSetState_* holds it to
// State.Set's); they only trade map entries for allocations, measured in
// BENCHMARKS.md. So make mutate's gremlins run skips this file.

const (
	internStringMax = 24      // longer strings (ids, digests) rarely repeat
	internIntMax    = 1 << 12 // counts repeat; timestamps and sizes do not
)

func internString(s string) bool { return len(s) <= internStringMax }

func internInt(n int64) bool { return n >= 0 && n < internIntMax }

// sharedList is true for a list field tagged `state:"shared"`: its slices
// are shared by many list elements (a vulnerability's CVEs by every row
// of its name), so each is encoded once.
func sharedList(field reflect.StructField) bool { return field.Tag.Get("state") == "shared" }
