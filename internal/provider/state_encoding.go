package provider

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// setState writes model, a pointer to a tfsdk-tagged struct, as the whole
// state. It gives the same value as state.Set(ctx, model) (a test holds it
// to that) at a fraction of the cost: the framework reflects over every
// field of every list element (re-reading struct tags and building attr
// values), which made a 10,000-image plan a third slower (BENCHMARKS.md).
// Here the struct is planned once per call and values are built directly
// as tftypes, sharing the repeated ones.
func setState(ctx context.Context, state *tfsdk.State, model any) diag.Diagnostics {
	if useFrameworkRoute {
		return state.Set(ctx, model)
	}
	value, err := encodeModel(ctx, state.Schema.Type().TerraformType(ctx), model)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot write the state", fmt.Sprintf("%s. This is a bug in the provider; please report it.", err))
		return diags
	}
	return state.Set(ctx, value)
}

// encodeModel converts a pointer to a tfsdk-tagged struct to a value of typ.
func encodeModel(ctx context.Context, typ tftypes.Type, model any) (tftypes.Value, error) {
	v := reflect.ValueOf(model)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return tftypes.Value{}, fmt.Errorf("model must be a pointer to a struct, got %T", model)
	}
	plan, err := planValue(v.Elem().Type(), typ)
	if err != nil {
		return tftypes.Value{}, err
	}
	e := encoder{ctx: ctx, strings: map[string]tftypes.Value{}, ints: map[int64]tftypes.Value{}, lists: map[listKey]tftypes.Value{}}
	return e.encode(plan, v.Elem())
}

type valueKind int

const (
	kindString   valueKind = iota // basetypes.StringValuable, e.g. types.String, timetypes.RFC3339
	kindInt64                     // basetypes.Int64Valuable
	kindBool                      // basetypes.BoolValuable
	kindAttr                      // any other attr.Value, e.g. types.Object
	kindGoString                  // string, as in []string
	kindList                      // slice
	kindObject                    // struct
	kindPointer                   // pointer to struct, nil is null
)

// valuePlan says how to encode one Go type as one Terraform type.
type valuePlan struct {
	kind valueKind
	typ  tftypes.Type
	null tftypes.Value
	// yes and no are true and false (kindBool): every element shares them.
	yes, no tftypes.Value
	elem    *valuePlan  // kindList, kindPointer
	fields  []fieldPlan // kindObject
	// shared: a field whose values repeat across list elements, tagged
	// state:"shared": a list is encoded once per slice (backing array and
	// length), a string is shared whatever its length; see sharedField.
	shared bool
}

type fieldPlan struct {
	name  string
	index []int // path through embedded structs
	plan  *valuePlan
}

var (
	attrValueType  = reflect.TypeFor[attr.Value]()
	stringValuable = reflect.TypeFor[basetypes.StringValuable]()
	int64Valuable  = reflect.TypeFor[basetypes.Int64Valuable]()
	boolValuable   = reflect.TypeFor[basetypes.BoolValuable]()
)

// planValue matches a Go type against a Terraform type.
func planValue(goType reflect.Type, typ tftypes.Type) (*valuePlan, error) {
	p := &valuePlan{typ: typ, null: tftypes.NewValue(typ, nil)}
	if kind, ok := scalarKind(goType, typ); ok {
		p.kind = kind
		if kind == kindBool {
			p.yes, p.no = tftypes.NewValue(typ, true), tftypes.NewValue(typ, false)
		}
		return p, nil
	}
	var err error
	if goType.Kind() == reflect.Slice && typ.Is(tftypes.List{}) {
		p.kind = kindList
		p.elem, err = planValue(goType.Elem(), typ.(tftypes.List).ElementType)
		if err != nil {
			return nil, fmt.Errorf("element of %s: %w", goType, err)
		}
		return p, nil
	}
	if goType.Kind() == reflect.Pointer && goType.Elem().Kind() == reflect.Struct {
		p.kind = kindPointer
		if p.elem, err = planValue(goType.Elem(), typ); err != nil {
			return nil, err
		}
		return p, nil
	}
	if goType.Kind() == reflect.Struct && typ.Is(tftypes.Object{}) {
		p.kind = kindObject
		if p.fields, err = planFields(goType, typ.(tftypes.Object)); err != nil {
			return nil, err
		}
		return p, nil
	}
	return nil, fmt.Errorf("cannot encode %s as %s", goType, typ)
}

// scalarKind is the kind of a Go type encoded as a single value.
func scalarKind(goType reflect.Type, typ tftypes.Type) (valueKind, bool) {
	ptr := reflect.PointerTo(goType)
	if ptr.Implements(stringValuable) && typ.Is(tftypes.String) {
		return kindString, true
	}
	if ptr.Implements(int64Valuable) && typ.Is(tftypes.Number) {
		return kindInt64, true
	}
	if ptr.Implements(boolValuable) && typ.Is(tftypes.Bool) {
		return kindBool, true
	}
	if goType.Implements(attrValueType) {
		return kindAttr, true
	}
	if goType.Kind() == reflect.String && typ.Is(tftypes.String) {
		return kindGoString, true
	}
	return 0, false
}

// planFields pairs every attribute of the object with the struct field
// tagged with its name; both sides must match exactly, as for State.Set.
func planFields(goType reflect.Type, typ tftypes.Object) ([]fieldPlan, error) {
	byName := map[string][]int{}
	if err := taggedFields(goType, nil, byName); err != nil {
		return nil, err
	}
	if len(byName) != len(typ.AttributeTypes) {
		return nil, fmt.Errorf("%s has %d tagged fields for %d attributes", goType, len(byName), len(typ.AttributeTypes))
	}
	fields := make([]fieldPlan, 0, len(byName))
	for name, attrType := range typ.AttributeTypes {
		index, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("%s has no field tagged %q", goType, name)
		}
		field := goType.FieldByIndex(index)
		plan, err := planValue(field.Type, attrType)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", goType, field.Name, err)
		}
		plan.shared = sharedField(field)
		fields = append(fields, fieldPlan{name: name, index: index, plan: plan})
	}
	return fields, nil
}

// taggedFields maps each tfsdk tag of goType to its field's index path. As
// in the framework, the fields of a struct embedded by value (without a
// tag) count as the outer struct's own.
func taggedFields(goType reflect.Type, prefix []int, byName map[string][]int) error {
	for k := range goType.NumField() {
		field := goType.Field(k)
		index := append(slices.Clip(prefix), k)
		name, tagged := field.Tag.Lookup("tfsdk")
		switch {
		case name == "-":
		case field.Anonymous && !tagged && field.Type.Kind() == reflect.Struct:
			if err := taggedFields(field.Type, index, byName); err != nil {
				return err
			}
		case name == "":
		case byName[name] != nil:
			return fmt.Errorf("%s: two fields are tagged %q", goType, name)
		default:
			byName[name] = index
		}
	}
	return nil
}

// encoder builds values, sharing the ones that repeat across list elements
// (YES/NO, SUCCESS, small counts, regions): every fresh tftypes.Value
// costs allocations.
type encoder struct {
	ctx     context.Context
	strings map[string]tftypes.Value
	ints    map[int64]tftypes.Value
	lists   map[listKey]tftypes.Value // shared slices already encoded
}

// listKey identifies a slice: the same plan, backing array and length are
// the same elements while the model is encoded.
type listKey struct {
	plan *valuePlan
	ptr  uintptr
	len  int
}

// encode converts v, which must be addressable, following plan p.
func (e *encoder) encode(p *valuePlan, v reflect.Value) (tftypes.Value, error) {
	switch p.kind {
	case kindString:
		s, diags := v.Addr().Interface().(basetypes.StringValuable).ToStringValue(e.ctx)
		if diags.HasError() {
			return tftypes.Value{}, fmt.Errorf("string value: %v", diags)
		}
		return e.stringValue(p, s), nil
	case kindInt64:
		n, diags := v.Addr().Interface().(basetypes.Int64Valuable).ToInt64Value(e.ctx)
		if diags.HasError() {
			return tftypes.Value{}, fmt.Errorf("number value: %v", diags)
		}
		return e.int64Value(p, n), nil
	case kindBool:
		b, diags := v.Addr().Interface().(basetypes.BoolValuable).ToBoolValue(e.ctx)
		if diags.HasError() {
			return tftypes.Value{}, fmt.Errorf("bool value: %v", diags)
		}
		return boolTFValue(p, b), nil
	case kindAttr:
		value, err := v.Interface().(attr.Value).ToTerraformValue(e.ctx)
		if err == nil && !value.Type().Equal(p.typ) {
			err = fmt.Errorf("%s is a %s, the schema says %s", v.Type(), value.Type(), p.typ)
		}
		return value, err
	case kindGoString:
		return e.stringValue(p, basetypes.NewStringValue(v.String())), nil
	case kindList:
		return e.list(p, v)
	case kindPointer:
		if v.IsNil() {
			return p.null, nil
		}
		return e.encode(p.elem, v.Elem())
	default:
		return e.object(p, v)
	}
}

func (e *encoder) list(p *valuePlan, v reflect.Value) (tftypes.Value, error) {
	if v.IsNil() {
		return p.null, nil
	}
	if !p.shared {
		return e.newList(p, v)
	}
	key := listKey{plan: p, ptr: v.Pointer(), len: v.Len()}
	if value, ok := e.lists[key]; ok {
		return value, nil
	}
	value, err := e.newList(p, v)
	if err != nil {
		return tftypes.Value{}, err
	}
	e.lists[key] = value
	return value, nil
}

func (e *encoder) newList(p *valuePlan, v reflect.Value) (tftypes.Value, error) {
	elems := make([]tftypes.Value, v.Len())
	for k := range elems {
		elem, err := e.encode(p.elem, v.Index(k))
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("element %d: %w", k, err)
		}
		elems[k] = elem
	}
	return tftypes.NewValue(p.typ, elems), nil
}

func (e *encoder) object(p *valuePlan, v reflect.Value) (tftypes.Value, error) {
	attrs := make(map[string]tftypes.Value, len(p.fields))
	for k := range p.fields {
		f := &p.fields[k]
		value, err := e.encode(f.plan, v.FieldByIndex(f.index))
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("%s: %w", f.name, err)
		}
		attrs[f.name] = value
	}
	return tftypes.NewValue(p.typ, attrs), nil
}

func (e *encoder) stringValue(p *valuePlan, s basetypes.StringValue) tftypes.Value {
	switch {
	case s.IsNull():
		return p.null
	case s.IsUnknown():
		return tftypes.NewValue(p.typ, tftypes.UnknownValue)
	case !internString(s.ValueString(), p.shared):
		return tftypes.NewValue(p.typ, s.ValueString())
	}
	value, ok := e.strings[s.ValueString()]
	if !ok {
		value = tftypes.NewValue(p.typ, s.ValueString())
		e.strings[s.ValueString()] = value
	}
	return value
}

func (e *encoder) int64Value(p *valuePlan, n basetypes.Int64Value) tftypes.Value {
	switch {
	case n.IsNull():
		return p.null
	case n.IsUnknown():
		return tftypes.NewValue(p.typ, tftypes.UnknownValue)
	case !internInt(n.ValueInt64()):
		return tftypes.NewValue(p.typ, n.ValueInt64())
	}
	value, ok := e.ints[n.ValueInt64()]
	if !ok {
		value = tftypes.NewValue(p.typ, n.ValueInt64())
		e.ints[n.ValueInt64()] = value
	}
	return value
}

func boolTFValue(p *valuePlan, b basetypes.BoolValue) tftypes.Value {
	switch {
	case b.IsNull():
		return p.null
	case b.IsUnknown():
		return tftypes.NewValue(p.typ, tftypes.UnknownValue)
	case b.ValueBool():
		return p.yes
	}
	return p.no
}
