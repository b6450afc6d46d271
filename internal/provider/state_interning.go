package provider

import "reflect"

// Which values the state encoder shares between list elements. Whatever
// these answer, the state written is the same (TestSetState_* holds it to
// State.Set's); they only trade map entries for allocations, measured in
// BENCHMARKS.md.

const (
	internStringMax = 24      // longer strings (ids, digests) rarely repeat
	internIntMax    = 1 << 12 // counts repeat; timestamps and sizes do not
)

func internString(s string, shared bool) bool { return shared || len(s) <= internStringMax }

func internInt(n int64) bool { return n >= 0 && n < internIntMax }

// sharedField is true for a field tagged `state:"shared"`: its values
// repeat across list elements (a vulnerability's CVEs, title and fix
// command in every row of its name; an image's uuid and name in each of
// its rows), so each distinct one is encoded once.
func sharedField(field reflect.StructField) bool { return field.Tag.Get("state") == "shared" }
