package provider

import (
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// valueCache shares immutable tftypes values across the images of one read.
// Most image fields repeat (YES/NO, SUCCESS, small counts, regions, null),
// and every fresh tftypes.Value costs allocations: sharing them keeps the
// conversion of tens of thousands of images close to the cost of decoding.
type valueCache struct {
	nullString, nullNumber, nullBool, nullList tftypes.Value
	emptyList                                  tftypes.Value
	boolTrue, boolFalse                        tftypes.Value
	strings                                    map[string]tftypes.Value
	ints                                       map[int64]tftypes.Value
}

// Strings longer than this (ids, digests) are rarely repeated: not worth a lookup.
const maxInternedString = 24

// Counts below this are shared; timestamps and sizes are not.
const maxInternedInt = 1 << 12

var stringListTFType = tftypes.List{ElementType: tftypes.String}

func newValueCache() *valueCache {
	return &valueCache{
		nullString: tftypes.NewValue(tftypes.String, nil),
		nullNumber: tftypes.NewValue(tftypes.Number, nil),
		nullBool:   tftypes.NewValue(tftypes.Bool, nil),
		nullList:   tftypes.NewValue(stringListTFType, nil),
		emptyList:  tftypes.NewValue(stringListTFType, []tftypes.Value{}),
		boolTrue:   tftypes.NewValue(tftypes.Bool, true),
		boolFalse:  tftypes.NewValue(tftypes.Bool, false),
		strings:    map[string]tftypes.Value{},
		ints:       map[int64]tftypes.Value{},
	}
}

func (c *valueCache) str(s sasapi.String) tftypes.Value {
	if !s.Valid {
		return c.nullString
	}
	if len(s.Value) > maxInternedString {
		return tftypes.NewValue(tftypes.String, s.Value)
	}
	v, ok := c.strings[s.Value]
	if !ok {
		v = tftypes.NewValue(tftypes.String, s.Value)
		c.strings[s.Value] = v
	}
	return v
}

func (c *valueCache) int(n sasapi.Int) tftypes.Value {
	if !n.Valid {
		return c.nullNumber
	}
	if n.Value < 0 || n.Value >= maxInternedInt {
		return tftypes.NewValue(tftypes.Number, n.Value)
	}
	v, ok := c.ints[n.Value]
	if !ok {
		v = tftypes.NewValue(tftypes.Number, n.Value)
		c.ints[n.Value] = v
	}
	return v
}

func (c *valueCache) bool(b sasapi.Bool) tftypes.Value {
	switch {
	case !b.Valid:
		return c.nullBool
	case b.Value:
		return c.boolTrue
	default:
		return c.boolFalse
	}
}

func (c *valueCache) stringList(l sasapi.StringList) tftypes.Value {
	if !l.Valid {
		return c.nullList
	}
	if len(l.Values) == 0 {
		return c.emptyList
	}
	elems := make([]tftypes.Value, len(l.Values))
	for k, s := range l.Values {
		elems[k] = tftypes.NewValue(tftypes.String, s)
	}
	return tftypes.NewValue(stringListTFType, elems)
}
