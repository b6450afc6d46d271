package provider

import (
	"fmt"
	"maps"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

const defaultRegion = "cn-hangzhou"

var (
	regionPattern      = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)
	roleARNPattern     = regexp.MustCompile(`^acs:ram::[0-9]+:role/.+$`)
	sessionNamePattern = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)
)

// Environment fallbacks, first set wins. Configuration wins over all of them.
var (
	envRegion         = []string{"ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"}
	envAccessKey      = []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"}
	envSecretKey      = []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"}
	envSecurityToken  = []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"}
	envProfile        = []string{"ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"}
	envCredentialFile = []string{"ALIBABA_CLOUD_CONFIG_FILE"}
	envRoleARN        = []string{"ALIBABA_CLOUD_ROLE_ARN"}
	envECSRole        = []string{"ALIBABA_CLOUD_ECS_METADATA"}
	envEndpoint       = []string{"ALIBABA_CLOUD_ENDPOINT_SAS", "SAS_ENDPOINT"}
	envCABundle       = []string{"SAS_CA_BUNDLE"}
	envProtocol       = []string{"SAS_PROTOCOL"}
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

// unknownAttributes lists the arguments whose values are not known yet.
func (m providerModel) unknownAttributes() []path.Path {
	values := map[string]attr.Value{
		"region": m.Region, "access_key": m.AccessKey, "secret_key": m.SecretKey, "security_token": m.SecurityToken,
		"profile": m.Profile, "shared_credentials_file": m.SharedCredentialsFile, "ecs_role_name": m.ECSRoleName,
		"endpoint": m.Endpoint, "protocol": m.Protocol, "ca_bundle_file": m.CABundleFile, "max_retries": m.MaxRetries,
		"max_concurrency": m.MaxConcurrency, "connect_timeout": m.ConnectTimeout, "read_timeout": m.ReadTimeout,
		"retry_timeout": m.RetryTimeout,
	}
	var unknown []path.Path
	for _, name := range sortedKeys(values) {
		if values[name].IsUnknown() {
			unknown = append(unknown, path.Root(name))
		}
	}
	if r := m.AssumeRole; r != nil {
		nested := map[string]attr.Value{"role_arn": r.RoleARN, "session_name": r.SessionName, "external_id": r.ExternalID, "policy": r.Policy, "session_expiration": r.SessionExpiration}
		for _, name := range sortedKeys(nested) {
			if nested[name].IsUnknown() {
				unknown = append(unknown, path.Root("assume_role").AtName(name))
			}
		}
	}
	return unknown
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
		region:                stringOr(m.Region, lookup, envRegion, defaultRegion),
		accessKey:             stringOr(m.AccessKey, lookup, envAccessKey, ""),
		secretKey:             stringOr(m.SecretKey, lookup, envSecretKey, ""),
		securityToken:         stringOr(m.SecurityToken, lookup, envSecurityToken, ""),
		profile:               stringOr(m.Profile, lookup, envProfile, ""),
		sharedCredentialsFile: stringOr(m.SharedCredentialsFile, lookup, envCredentialFile, ""),
		ecsRoleName:           stringOr(m.ECSRoleName, lookup, envECSRole, ""),
		endpoint:              stringOr(m.Endpoint, lookup, envEndpoint, ""),
		protocol:              stringOr(m.Protocol, lookup, envProtocol, "HTTPS"),
		caBundleFile:          stringOr(m.CABundleFile, lookup, envCABundle, ""),
		maxRetries:            intOr(m.MaxRetries, sasapi.DefaultMaxRetries),
		maxConcurrency:        intOr(m.MaxConcurrency, sasapi.DefaultMaxConcurrency),
	}
	if !regionPattern.MatchString(s.region) {
		diags.AddAttributeError(path.Root("region"), "Invalid region", fmt.Sprintf("%q (from the configuration or %s) is not a region id such as cn-hangzhou.", s.region, strings.Join(envRegion, "/")))
	}
	if s.protocol != "HTTP" && s.protocol != "HTTPS" {
		diags.AddAttributeError(path.Root("protocol"), "Invalid protocol", fmt.Sprintf("%q (from the configuration or %s) must be HTTPS or HTTP.", s.protocol, strings.Join(envProtocol, "/")))
	}
	s.endpointExplicit = s.endpoint != ""
	if s.endpointExplicit {
		if err := checkEndpoint(s.endpoint); err != nil {
			diags.AddAttributeError(path.Root("endpoint"), "Invalid endpoint", fmt.Sprintf("%q (from the configuration or %s): %s.", s.endpoint, strings.Join(envEndpoint, "/"), err))
		}
	} else {
		s.endpoint = sasapi.ResolveEndpoint(s.region)
	}
	if (s.accessKey == "") != (s.secretKey == "") {
		diags.AddAttributeError(path.Root("secret_key"), "Incomplete access key",
			"An access key needs both its id and its secret: set both access_key and secret_key (or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET), or neither.")
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
			sessionName:       stringOr(r.SessionName, nil, nil, "terraform-provider-sas"),
			externalID:        r.ExternalID.ValueString(),
			policy:            r.Policy.ValueString(),
			sessionExpiration: intOr(r.SessionExpiration, 3600),
		}
	}
	// With OIDC variables set, ALIBABA_CLOUD_ROLE_ARN is the role the default
	// chain already assumes through OIDC: assuming it again would fail.
	if firstEnv(lookup, []string{"ALIBABA_CLOUD_OIDC_PROVIDER_ARN"}) != "" && firstEnv(lookup, []string{"ALIBABA_CLOUD_OIDC_TOKEN_FILE"}) != "" {
		return nil
	}
	if arn := firstEnv(lookup, envRoleARN); arn != "" {
		return &assumeRoleSettings{roleARN: arn, sessionName: "terraform-provider-sas", sessionExpiration: 3600}
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

func stringOr(v types.String, lookup lookupFunc, env []string, fallback string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	if lookup != nil {
		if value := firstEnv(lookup, env); value != "" {
			return value
		}
	}
	return fallback
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

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
