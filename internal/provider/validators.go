package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// Every rule an argument of the provider, its data sources or its resource
// is checked by at plan time. Each rule is one validator or pattern here,
// used wherever the argument appears.

// Argument formats. Repository paths, namespaces and tags follow the OCI
// distribution grammar; none may contain the comma that separates values
// in the API.
var (
	repoComponent      = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	repoNamePattern    = regexp.MustCompile(`^` + repoComponent + `(?:/` + repoComponent + `)*$`)
	namespacePattern   = regexp.MustCompile(`^` + repoComponent + `$`)
	tagPattern         = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)
	instanceIDPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	imageIDPattern     = regexp.MustCompile(`^(sha256:)?[^\s:]+$`)
	regionPattern      = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)
	roleARNPattern     = regexp.MustCompile(`^acs:ram::[0-9]+:role/.+$`)
	sessionNamePattern = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)
	imageUUIDPattern   = regexp.MustCompile(`^[^,\s]+$`)
)

// stringRule is a string argument's rule as a validator: what it requires,
// for the docs, and the check, whose error is the diagnostic's detail.
type stringRule struct {
	summary     string
	description string
	check       func(string) error
}

func (r stringRule) Description(context.Context) string { return r.description }

func (r stringRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (r stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := r.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, r.summary, attributeDetail(req.Path, err.Error()+"."))
	}
}

// attributeDetail names the attribute in an error's detail: Terraform
// cannot point at an attribute nested in a list, such as
// exceptions[0].expires, so the text must.
func attributeDetail(p path.Path, detail string) string {
	return fmt.Sprintf("Attribute %s: %s", p, detail)
}

// digestValidator accepts a sha256 digest with or without its prefix, in
// any case: the one digest rule. normalizeDigestText gives the form sent.
func digestValidator() validator.String {
	const rule = "must be a sha256 image digest: 64 hex digits, optionally prefixed by sha256:"
	return stringRule{summary: "Invalid image digest", description: rule, check: func(s string) error {
		if _, ok := sasapi.NormalizeDigest(s); !ok {
			return fmt.Errorf("%q %s, such as sha256:%s", s, rule, strings.Repeat("0123456789abcdef", 4))
		}
		return nil
	}}
}

// expiryValidator accepts an exception's expiry: a date or an RFC 3339 time.
func expiryValidator() validator.String {
	return stringRule{summary: "Invalid exception expiry", description: "must be a date such as 2027-01-31 or an RFC 3339 time", check: func(s string) error {
		_, err := parseExpiry(s)
		return err
	}}
}

// normalizeDigestText is the bare lower-case form of a valid digest, as
// the API returns it; anything else is returned as it is.
func normalizeDigestText(s string) string {
	if d, ok := sasapi.NormalizeDigest(s); ok {
		return d
	}
	return s
}

// imageUUIDValidator accepts the uuid of an image record: the one image
// uuid rule. Uuids travel comma-separated, so a comma (or a space) cannot
// be part of one.
func imageUUIDValidator() validator.String {
	return stringvalidator.RegexMatches(imageUUIDPattern, "must be an image uuid, without commas or spaces")
}

// scopeValidator requires at least one of the arguments that narrow a
// read to some images: without one, a read would cover every image of the
// account. what names the data source, in the message.
type scopeValidator struct {
	what       string
	attributes []string
}

func (v scopeValidator) Description(context.Context) string {
	return "at least one of " + strings.Join(v.attributes, ", ") + " must be set"
}

func (v scopeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v scopeValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	for _, name := range v.attributes {
		var value attr.Value
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &value)...)
		if value == nil || !value.IsNull() { // set, or unknown until apply
			return
		}
	}
	resp.Diagnostics.AddError("Missing image scope",
		v.what+" needs to know which images to look at: set at least one of "+
			strings.Join(v.attributes, ", ")+". Lookups are account-wide, so without one it would read every image of the account.")
}

// durationValidator accepts a positive Go duration such as "30s" or "2m":
// the one duration rule.
func durationValidator() validator.String {
	return stringRule{summary: "Invalid duration", description: "must be a positive duration such as 30s, 2m or 1h30m", check: func(s string) error {
		_, err := parsePositiveDuration(s)
		return err
	}}
}

func parsePositiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use a number with a unit, such as 30s, 2m or 1h30m", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be longer than zero", s)
	}
	return d, nil
}

// endpointValidator accepts host[:port], without scheme or path.
func endpointValidator() validator.String {
	return stringRule{summary: "Invalid endpoint", description: "must be host or host:port, without a scheme or path", check: func(s string) error {
		if err := checkEndpoint(s); err != nil {
			return fmt.Errorf("%q: %w", s, err)
		}
		return nil
	}}
}

func checkEndpoint(endpoint string) error {
	switch {
	case endpoint == "":
		return errors.New("must not be empty")
	case strings.Contains(endpoint, "://"):
		return errors.New("give host[:port] only; the scheme comes from protocol")
	case strings.ContainsAny(endpoint, "/?# \t"):
		return errors.New("give host[:port] only, without a path, query or spaces")
	}
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		if strings.Contains(err.Error(), "missing port") {
			return nil
		}
		return fmt.Errorf("not host[:port]: %v", err)
	}
	if host == "" {
		return errors.New("the host is empty")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	return nil
}
