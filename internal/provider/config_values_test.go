package provider

import (
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// unknown is a value known only at apply.
type unknown struct{}

// nested is a nested object's attributes, as plain Go values.
type nested map[string]any

// tfValueOf converts a plain Go value to a value of typ: nil is null,
// unknown{} is unknown and a tftypes.Value is itself; strings, bools, ints
// and float64s are scalars, []any and []string lists or sets, and
// map[string]any or nested objects, their attributes left out null.
func tfValueOf(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return tftypes.NewValue(typ, nil)
	case unknown:
		return tftypes.NewValue(typ, tftypes.UnknownValue)
	case tftypes.Value:
		return v
	case int:
		return tftypes.NewValue(typ, big.NewFloat(float64(v)))
	case float64:
		return tftypes.NewValue(typ, big.NewFloat(v))
	case string, bool:
		return tftypes.NewValue(typ, v)
	case []string:
		return tfValueOf(t, typ, anyList(v...))
	case []any:
		var elem tftypes.Type
		switch typ := typ.(type) {
		case tftypes.List:
			elem = typ.ElementType
		case tftypes.Set:
			elem = typ.ElementType
		default:
			t.Fatalf("a list given for a %v", typ)
		}
		elems := make([]tftypes.Value, len(v))
		for k, e := range v {
			elems[k] = tfValueOf(t, elem, e)
		}
		return tftypes.NewValue(typ, elems)
	case nested:
		return tfValueOf(t, typ, map[string]any(v))
	case map[string]any:
		object, ok := typ.(tftypes.Object)
		if !ok {
			t.Fatalf("attributes given for a %v", typ)
		}
		attrs := make(map[string]tftypes.Value, len(v))
		for name, value := range v {
			attrType, ok := object.AttributeTypes[name]
			if !ok {
				t.Fatalf("no attribute %q in %v", name, typ)
			}
			attrs[name] = tfValueOf(t, attrType, value)
		}
		return objectOf(object, attrs)
	}
	t.Fatalf("tfValueOf: a %T", v)
	return tftypes.Value{}
}

// objectOf is an object of typ with attrs set and the rest null.
func objectOf(typ tftypes.Object, attrs map[string]tftypes.Value) tftypes.Value {
	values := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, attrType := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range attrs {
		values[name] = v
	}
	return tftypes.NewValue(typ, values)
}

// anyList is a list argument of strings.
func anyList(values ...string) []any {
	out := make([]any, len(values))
	for k, v := range values {
		out[k] = v
	}
	return out
}
