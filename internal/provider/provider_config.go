package provider

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// lookupFunc reads an environment variable; tests substitute their own.
type lookupFunc func(string) (string, bool)

func envLookup(name string) (string, bool) { return os.LookupEnv(name) }

type providerModel struct {
	Region                types.String     `tfsdk:"region"`
	AccessKey             types.String     `tfsdk:"access_key"`
	SecretKey             types.String     `tfsdk:"secret_key"`
	SecurityToken         types.String     `tfsdk:"security_token"`
	Profile               types.String     `tfsdk:"profile"`
	SharedCredentialsFile types.String     `tfsdk:"shared_credentials_file"`
	AssumeRole            *assumeRoleModel `tfsdk:"assume_role"`
	ECSRoleName           types.String     `tfsdk:"ecs_role_name"`
	Endpoint              types.String     `tfsdk:"endpoint"`
	Protocol              types.String     `tfsdk:"protocol"`
	CABundleFile          types.String     `tfsdk:"ca_bundle_file"`
	MaxRetries            types.Int64      `tfsdk:"max_retries"`
	MaxConcurrency        types.Int64      `tfsdk:"max_concurrency"`
	ConnectTimeout        types.String     `tfsdk:"connect_timeout"`
	ReadTimeout           types.String     `tfsdk:"read_timeout"`
	RetryTimeout          types.String     `tfsdk:"retry_timeout"`
}

type assumeRoleModel struct {
	RoleARN           types.String `tfsdk:"role_arn"`
	SessionName       types.String `tfsdk:"session_name"`
	ExternalID        types.String `tfsdk:"external_id"`
	Policy            types.String `tfsdk:"policy"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
}

// unknownPaths lists every value of the configuration that is not known
// yet, at any depth, so no attribute can be forgotten.
func unknownPaths(config tftypes.Value) []path.Path {
	var unknown []path.Path
	_ = tftypes.Walk(config, func(at *tftypes.AttributePath, v tftypes.Value) (bool, error) {
		if v.IsKnown() {
			return true, nil
		}
		unknown = append(unknown, frameworkPath(at))
		return false, nil
	})
	slices.SortFunc(unknown, func(a, b path.Path) int { return strings.Compare(a.String(), b.String()) })
	return unknown
}

// frameworkPath converts a tftypes path to a framework path. A set element
// is reported as its set.
func frameworkPath(at *tftypes.AttributePath) path.Path {
	p := path.Empty()
	for _, step := range at.Steps() {
		switch s := step.(type) {
		case tftypes.AttributeName:
			p = p.AtName(string(s))
		case tftypes.ElementKeyInt:
			p = p.AtListIndex(int(s))
		case tftypes.ElementKeyString:
			p = p.AtMapKey(string(s))
		default:
			return p
		}
	}
	return p
}

// settings is the provider configuration after environment fallbacks and
// defaults: plain Go values, validated.
type settings struct {
	region                string
	accessKey             string
	secretKey             string
	securityToken         string
	profile               string
	sharedCredentialsFile string
	assumeRole            *assumeRoleSettings
	ecsRoleName           string
	endpoint              string
	endpointExplicit      bool
	protocol              string
	caBundleFile          string
	maxRetries            int
	maxConcurrency        int
	connectTimeout        time.Duration
	readTimeout           time.Duration
	retryTimeout          time.Duration
}

type assumeRoleSettings struct {
	roleARN           string
	sessionName       string
	externalID        string
	policy            string
	sessionExpiration int
}

// resolve applies environment fallbacks and defaults. Values from the
// environment get the same checks as configured ones, with errors that name
// the variable.
func (m providerModel) resolve(lookup lookupFunc) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := settings{
		region:                stringOr(m.Region, lookup, "region"),
		accessKey:             stringOr(m.AccessKey, lookup, "access_key"),
		secretKey:             stringOr(m.SecretKey, lookup, "secret_key"),
		securityToken:         stringOr(m.SecurityToken, lookup, "security_token"),
		profile:               stringOr(m.Profile, lookup, "profile"),
		sharedCredentialsFile: stringOr(m.SharedCredentialsFile, lookup, "shared_credentials_file"),
		ecsRoleName:           stringOr(m.ECSRoleName, lookup, "ecs_role_name"),
		endpoint:              stringOr(m.Endpoint, lookup, "endpoint"),
		protocol:              stringOr(m.Protocol, lookup, "protocol"),
		caBundleFile:          stringOr(m.CABundleFile, lookup, "ca_bundle_file"),
		maxRetries:            intOr(m.MaxRetries, sasapi.DefaultMaxRetries),
		maxConcurrency:        intOr(m.MaxConcurrency, sasapi.DefaultMaxConcurrency),
	}
	if !regionPattern.MatchString(s.region) {
		diags.AddAttributeError(path.Root("region"), "Invalid region", fmt.Sprintf("%q (from the configuration or %s) is not a region id such as cn-hangzhou.", s.region, envNames("region")))
	}
	if s.protocol != "HTTP" && s.protocol != "HTTPS" {
		diags.AddAttributeError(path.Root("protocol"), "Invalid protocol", fmt.Sprintf("%q (from the configuration or %s) must be HTTPS or HTTP.", s.protocol, envNames("protocol")))
	}
	s.endpointExplicit = s.endpoint != ""
	if s.endpointExplicit {
		if err := checkEndpoint(s.endpoint); err != nil {
			diags.AddAttributeError(path.Root("endpoint"), "Invalid endpoint", fmt.Sprintf("%q (from the configuration or %s): %s.", s.endpoint, envNames("endpoint"), err))
		}
	} else {
		s.endpoint = sasapi.ResolveEndpoint(s.region)
	}
	if (s.accessKey == "") != (s.secretKey == "") {
		diags.AddAttributeError(path.Root("secret_key"), "Incomplete access key",
			fmt.Sprintf("An access key needs both its id and its secret: set both access_key and secret_key (or %s and %s), or neither.",
				argument("access_key").env[0], argument("secret_key").env[0]))
	}
	if s.securityToken != "" && s.accessKey == "" {
		diags.AddAttributeError(path.Root("security_token"), "Security token without access key",
			"security_token is only used together with the temporary access_key and secret_key it was issued with.")
	}
	s.assumeRole = m.assumeRoleSettings(lookup)
	var d diag.Diagnostics
	s.connectTimeout, d = durationOr(m.ConnectTimeout, "connect_timeout", sasapi.DefaultConnectTimeout)
	diags.Append(d...)
	s.readTimeout, d = durationOr(m.ReadTimeout, "read_timeout", sasapi.DefaultReadTimeout)
	diags.Append(d...)
	s.retryTimeout, d = durationOr(m.RetryTimeout, "retry_timeout", sasapi.DefaultRetryTimeout)
	diags.Append(d...)
	return s, diags
}

func (m providerModel) assumeRoleSettings(lookup lookupFunc) *assumeRoleSettings {
	if r := m.AssumeRole; r != nil {
		return &assumeRoleSettings{
			roleARN:           r.RoleARN.ValueString(),
			sessionName:       stringOr(r.SessionName, lookup, "assume_role.session_name"),
			externalID:        r.ExternalID.ValueString(),
			policy:            r.Policy.ValueString(),
			sessionExpiration: intOr(r.SessionExpiration, defaultSessionExpiration),
		}
	}
	// With OIDC variables set, the role ARN variable names the role the
	// default chain already assumes through OIDC: assuming it again fails.
	if firstEnv(lookup, []string{envOIDCProviderARN}) != "" && firstEnv(lookup, []string{envOIDCTokenFile}) != "" {
		return nil
	}
	if arn := firstEnv(lookup, argument("assume_role.role_arn").env); arn != "" {
		return &assumeRoleSettings{roleARN: arn, sessionName: defaultSessionName, sessionExpiration: defaultSessionExpiration}
	}
	return nil
}

type warning struct{ summary, detail string }

func (s settings) warnings() []warning {
	var out []warning
	if s.protocol == "HTTP" && !isLoopback(s.endpoint) {
		out = append(out, warning{
			summary: "Plain HTTP to a remote endpoint",
			detail:  fmt.Sprintf("protocol = \"HTTP\" sends requests to %s unencrypted. Request signatures protect the secret key, but the image data and the security token travel in clear text. Use HTTPS unless the endpoint is local.", s.endpoint),
		})
	}
	return out
}

// credentialSource names where the credential comes from, for logs only.
func (s settings) credentialSource() string {
	base := "default credential chain"
	switch {
	case s.accessKey != "" && s.securityToken != "":
		base = "static STS token"
	case s.accessKey != "":
		base = "static access key"
	case s.ecsRoleName != "":
		base = "ECS instance role " + s.ecsRoleName
	case s.profile != "" || s.sharedCredentialsFile != "":
		base = "CLI profile"
	}
	if s.assumeRole != nil {
		return base + " + assume_role"
	}
	return base
}

func isLoopback(endpoint string) bool {
	host := endpoint
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// stringOr is the configured value, else the argument's first environment
// variable that is set, else its default.
func stringOr(v types.String, lookup lookupFunc, name string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	arg := argument(name)
	if value := firstEnv(lookup, arg.env); value != "" {
		return value
	}
	return arg.def
}

func firstEnv(lookup lookupFunc, names []string) string {
	for _, name := range names {
		if value, ok := lookup(name); ok && strings.TrimSpace(value) != "" {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

func intOr(v types.Int64, fallback int) int {
	if v.IsNull() || v.IsUnknown() {
		return fallback
	}
	return int(v.ValueInt64())
}

func durationOr(v types.String, name string, fallback time.Duration) (time.Duration, diag.Diagnostics) {
	var diags diag.Diagnostics
	if v.IsNull() || v.IsUnknown() {
		return fallback, diags
	}
	d, err := parsePositiveDuration(v.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root(name), "Invalid duration", err.Error())
	}
	return d, diags
}
