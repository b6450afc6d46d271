package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// Conversions of the client's tolerant scalars to framework values: a
// field the service did not send is null, never a made-up zero.

func stringOf(s sasapi.String) types.String {
	if !s.Valid {
		return types.StringNull()
	}
	return types.StringValue(s.Value)
}

func boolOf(b sasapi.Bool) types.Bool {
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

// rfc3339Of renders Unix milliseconds as RFC 3339 in UTC; 0 (the service's
// "never") and an absent field are null.
func rfc3339Of(ms sasapi.Int) timetypes.RFC3339 {
	if !ms.Valid || ms.Value <= 0 {
		return timetypes.NewRFC3339Null()
	}
	return timetypes.NewRFC3339TimeValue(time.UnixMilli(ms.Value).UTC())
}

// stringsOf is a list that is null when absent and empty, not null, when
// the service sent an empty one.
func stringsOf(values []string, valid bool) []string {
	if !valid {
		return nil
	}
	return append([]string{}, values...)
}
