package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The `summary` of a data source is a table of named counts over its rows
// (of type R). Each count's definition is one sentence, which is both its
// documentation and, through its function, its code: the schema and the
// values come from the same table.

// summaryCount is one count. Exactly one of its functions is set.
type summaryCount[R any] struct {
	name string
	// desc defines the count in one sentence, for the docs.
	desc string
	// where counts the rows it holds for.
	where func(*R) bool
	// sum adds up what each row says (a negative or missing number adds nothing).
	sum func(*R) int64
	// distinct counts the distinct values of the rows that have one.
	distinct func(*R) (string, bool)
	// highest is the highest score of the rows, null when no row has one.
	highest func(*R) types.Float64
	// onlyWith names a boolean argument without which the count is not
	// known: it is null then.
	onlyWith string
}

// summaryTable is the summary of one data source.
type summaryTable[R any] struct {
	// intro documents the summary attribute as a whole.
	intro  string
	counts []summaryCount[R]
}

// attribute is the schema of `summary`.
func (t summaryTable[R]) attribute() schema.SingleNestedAttribute {
	attrs := make(map[string]schema.Attribute, len(t.counts))
	for _, c := range t.counts {
		desc := c.desc
		if c.onlyWith != "" {
			desc += " Null unless `" + c.onlyWith + "`."
		}
		if c.highest != nil {
			attrs[c.name] = computedFloat64(desc)
		} else {
			attrs[c.name] = computedInt64(desc)
		}
	}
	return schema.SingleNestedAttribute{Computed: true, MarkdownDescription: t.intro, Attributes: attrs}
}

func (t summaryTable[R]) attrTypes() map[string]attr.Type {
	out := make(map[string]attr.Type, len(t.counts))
	for _, c := range t.counts {
		if c.highest != nil {
			out[c.name] = types.Float64Type
		} else {
			out[c.name] = types.Int64Type
		}
	}
	return out
}

// of computes every count over rows. enabled tells whether a boolean
// argument is true, for the counts known only with it (nil: none is).
func (t summaryTable[R]) of(rows []R, enabled func(argument string) bool) types.Object {
	values := make(map[string]attr.Value, len(t.counts))
	for _, c := range t.counts {
		if c.onlyWith != "" && (enabled == nil || !enabled(c.onlyWith)) {
			if c.highest != nil {
				values[c.name] = types.Float64Null()
			} else {
				values[c.name] = types.Int64Null()
			}
			continue
		}
		values[c.name] = c.value(rows)
	}
	return types.ObjectValueMust(t.attrTypes(), values)
}

// value computes one count.
func (c summaryCount[R]) value(rows []R) attr.Value {
	switch {
	case c.highest != nil:
		top := types.Float64Null()
		for k := range rows {
			top = higherScore(top, c.highest(&rows[k]))
		}
		return top
	case c.distinct != nil:
		seen := map[string]bool{}
		for k := range rows {
			if v, ok := c.distinct(&rows[k]); ok {
				seen[v] = true
			}
		}
		return types.Int64Value(int64(len(seen)))
	}
	var n int64
	for k := range rows {
		if c.where != nil && c.where(&rows[k]) {
			n++
		}
		if c.sum != nil {
			n += max(c.sum(&rows[k]), 0)
		}
	}
	return types.Int64Value(n)
}

// everyRow counts the rows.
func everyRow[R any](*R) bool { return true }

// higherScore is the higher of two scores, null only when both are.
func higherScore(a, b types.Float64) types.Float64 {
	if a.IsNull() {
		return b
	}
	if b.IsNull() {
		return a
	}
	return types.Float64Value(max(a.ValueFloat64(), b.ValueFloat64()))
}
