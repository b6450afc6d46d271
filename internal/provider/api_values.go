package provider

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// How sasapi's tolerant scalars become attribute values: a field the
// service did not send is null, never a made-up zero.

func stringValue(s sasapi.String) types.String {
	if !s.Valid {
		return types.StringNull()
	}
	return types.StringValue(s.Value)
}

func int64Value(n sasapi.Int) types.Int64 {
	if !n.Valid {
		return types.Int64Null()
	}
	return types.Int64Value(n.Value)
}

func boolValue(b sasapi.Bool) types.Bool {
	if !b.Valid {
		return types.BoolNull()
	}
	return types.BoolValue(b.Value)
}

func float64Of(f sasapi.Float) types.Float64 {
	if !f.Valid {
		return types.Float64Null()
	}
	return types.Float64Value(f.Value)
}

// stringList returns nil (null) for an absent list and a non-nil slice
// (an empty list) for an empty one.
func stringList(l sasapi.StringList) []string {
	if !l.Valid {
		return nil
	}
	if l.Values == nil {
		return []string{}
	}
	return l.Values
}

// rfc3339Value renders Unix milliseconds as RFC 3339 in UTC.
func rfc3339Value(ms sasapi.Int) timetypes.RFC3339 {
	if !ms.Valid {
		return timetypes.NewRFC3339Null()
	}
	return timetypes.NewRFC3339TimeValue(time.UnixMilli(ms.Value).UTC())
}

// rfc3339OrNever is rfc3339Value for a time where 0 means "never": null.
func rfc3339OrNever(ms sasapi.Int) timetypes.RFC3339 {
	if ms.Valid && ms.Value <= 0 {
		return timetypes.NewRFC3339Null()
	}
	return rfc3339Value(ms)
}

// lowerValue is a word the service may send in any case, lower-cased, so
// that `High` counts as `high`.
func lowerValue(s sasapi.String) types.String {
	if !s.Valid {
		return types.StringNull()
	}
	return types.StringValue(strings.ToLower(strings.TrimSpace(s.Value)))
}

// statusCode is one documented status code and what `status` says for it.
type statusCode struct {
	code int64
	name string
}

// codeName is the word of a documented status code, the code in a string
// for another, null when the service sent none.
func codeName(codes []statusCode, code sasapi.Int) types.String {
	if !code.Valid {
		return types.StringNull()
	}
	for _, c := range codes {
		if c.code == code.Value {
			return types.StringValue(c.name)
		}
	}
	return types.StringValue(strconv.FormatInt(code.Value, 10))
}

// codeOf is the code of a status word.
func codeOf(codes []statusCode, name string) (int64, bool) {
	for _, c := range codes {
		if c.name == name {
			return c.code, true
		}
	}
	return 0, false
}

// namesOf lists the words of a status table, for validators and docs.
func namesOf(codes []statusCode) []string {
	names := make([]string, len(codes))
	for k, c := range codes {
		names[k] = c.name
	}
	return names
}

// statusName is the `status` of a code.
func statusName(codes []statusCode, code sasapi.Int) string {
	for _, c := range codes {
		if code.Valid && code.Value == c.code {
			return c.name
		}
	}
	return statusUnfixed
}

// describeStatuses documents a status table.
func describeStatuses(codes []statusCode) string {
	parts := make([]string, len(codes))
	for k, c := range codes {
		parts[k] = fmt.Sprintf("`%s` (code %d)", c.name, c.code)
	}
	return strings.Join(parts, ", ") + ". A missing or undocumented code reads as `" + statusUnfixed + "`, so a gate fails closed."
}
