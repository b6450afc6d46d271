package provider

import (
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
