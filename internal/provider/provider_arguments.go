package provider

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// providerArgument is one argument of the provider block.
type providerArgument struct {
	name string // attribute path, nested attributes as "assume_role.role_arn"
	// env lists the environment variables the argument falls back on,
	// first set wins; envNote says when, if not always.
	env     []string
	envNote string
	// def is the default, as used (string arguments) and as documented.
	def         string
	description string // what the argument is; environment and default are appended
}

const (
	defaultRegion            = "cn-hangzhou"
	defaultProtocol          = "HTTPS"
	defaultSessionName       = "terraform-provider-sas"
	defaultSessionExpiration = 3600
)

// providerArguments is the one table of the provider's arguments. The
// schema's descriptions, the environment fallbacks, the docs' table of
// variables and the tests' environment are all derived from it.
var providerArguments = []providerArgument{
	{name: "region", env: []string{"ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"}, def: defaultRegion,
		description: "Region whose Security Center endpoint is used. `cn-*` regions, `cn-hongkong` included, use `tds.cn-shanghai.aliyuncs.com`; all others `tds.ap-southeast-1.aliyuncs.com`."},
	{name: "access_key", env: []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"},
		description: "AccessKey ID. Requires `secret_key`."},
	{name: "secret_key", env: []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"},
		description: "AccessKey secret. Never logged."},
	{name: "security_token", env: []string{"ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"},
		description: "STS security token, for temporary AccessKeys. Never logged."},
	{name: "profile", env: []string{"ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"},
		description: "Profile of the Alibaba Cloud CLI configuration file (`~/.aliyun/config.json`) to take credentials from."},
	{name: "shared_credentials_file", env: []string{"ALIBABA_CLOUD_CONFIG_FILE"},
		description: "Path of the Alibaba Cloud CLI configuration file holding `profile`, by default the CLI's `~/.aliyun/config.json`."},
	{name: "assume_role",
		description: "Assume a RAM role on top of the base credential. The temporary credential is refreshed automatically."},
	{name: "assume_role.role_arn", env: []string{"ALIBABA_CLOUD_ROLE_ARN"},
		envNote:     "when `assume_role` is absent and the OIDC variables are not set",
		description: "ARN of the RAM role, `acs:ram::<account-id>:role/<role-name>`."},
	{name: "assume_role.session_name", def: defaultSessionName,
		description: "Role session name, visible in ActionTrail."},
	{name: "assume_role.external_id",
		description: "External ID the role's trust policy requires, if any."},
	{name: "assume_role.policy",
		description: "A RAM policy document (JSON) that further restricts the assumed role's permissions."},
	{name: "assume_role.session_expiration", def: strconv.Itoa(defaultSessionExpiration),
		description: "Lifetime of the role session in seconds, 900 to 43200."},
	{name: "ecs_role_name", env: []string{"ALIBABA_CLOUD_ECS_METADATA"},
		description: "RAM role attached to the ECS instance Terraform runs on; credentials come from the instance metadata service."},
	{name: "endpoint", env: []string{"ALIBABA_CLOUD_ENDPOINT_SAS", "SAS_ENDPOINT"},
		description: "Security Center API endpoint as `host[:port]`, overriding the one `region` selects (private endpoints, proxies, tests)."},
	{name: "protocol", env: []string{"SAS_PROTOCOL"}, def: defaultProtocol,
		description: "`HTTPS` or `HTTP`. Plain HTTP sends signed requests in clear text: use it only for a local endpoint; the provider warns otherwise."},
	{name: "ca_bundle_file", env: []string{"SAS_CA_BUNDLE"},
		description: "Path of a PEM file of extra certificate authorities to trust, for TLS-intercepting corporate proxies and private endpoints. The system roots stay trusted."},
	{name: "max_retries", def: strconv.Itoa(sasapi.DefaultMaxRetries),
		description: "How many times a request that failed for a transient reason (throttling, `ServiceUnavailable`, HTTP 5xx, gateway errors, network errors, timeouts) is retried, with exponential backoff and jitter and honouring `Retry-After`. `0` disables retries."},
	{name: "max_concurrency", def: strconv.Itoa(sasapi.DefaultMaxConcurrency),
		description: "How many requests the provider has in flight at the same time, all its data sources and resources together, 1 to 32. While the service throttles, this is halved and requests are paced to the rate the service grants, learnt from the throttling and `Retry-After`. The default is enough to read 10,000 images in about 11 round trips, and few enough that little is throttled before the pace is learnt."},
	{name: "connect_timeout", def: sasapi.DefaultConnectTimeout.String(),
		description: "Time allowed to open a connection, as a Go duration such as `10s`."},
	{name: "read_timeout", def: sasapi.DefaultReadTimeout.String(),
		description: "Time allowed for one request, from sending it to the last byte of the answer, as a Go duration such as `30s`. A request that takes longer is retried."},
	{name: "retry_timeout", def: sasapi.DefaultRetryTimeout.String(),
		description: "Total time one request may take including its retries, as a Go duration such as `2m`."},
}

// Variables the Alibaba Cloud default credential chain reads on its own,
// besides the arguments' variables.
const (
	envOIDCProviderARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
	envOIDCTokenFile   = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
	envCredentialsFile = "ALIBABA_CLOUD_CREDENTIALS_FILE"
	envCredentialsURI  = "ALIBABA_CLOUD_CREDENTIALS_URI"
)

var credentialChainEnv = []string{envOIDCProviderARN, envOIDCTokenFile, envCredentialsFile, envCredentialsURI}

// argument returns the table's row for an attribute path. A missing row is
// a programming error that the schema tests catch.
func argument(name string) providerArgument {
	for _, a := range providerArguments {
		if a.name == name {
			return a
		}
	}
	panic(fmt.Sprintf("provider argument %q is not in providerArguments", name))
}

// describe is the schema description of an argument: what it is, then its
// environment variables and default.
func describe(name string) string {
	return argument(name).markdownDescription()
}

func (a providerArgument) markdownDescription() string {
	var b strings.Builder
	b.WriteString(a.description)
	if len(a.env) > 0 {
		fmt.Fprintf(&b, " Environment: %s", a.envList(", then "))
		if a.envNote != "" {
			b.WriteString(", " + a.envNote)
		}
		b.WriteString(".")
	}
	if a.def != "" {
		fmt.Fprintf(&b, " Default: `%s`.", a.def)
	}
	return b.String()
}

// envList quotes the variables as code, joined by sep.
func (a providerArgument) envList(sep string) string {
	return strings.Join(quoteAll(a.env), sep)
}

// envNames joins the argument's variables with " or ", for messages.
func envNames(name string) string {
	return strings.Join(argument(name).env, " or ")
}

// environmentTableMarkdown is the docs' table of environment variables and
// defaults, generated into templates/index.md.tmpl.
func environmentTableMarkdown() string {
	var b strings.Builder
	b.WriteString("| Argument | Environment variables, first set wins | Default |\n| --- | --- | --- |\n")
	for _, a := range providerArguments {
		if len(a.env) == 0 && a.def == "" {
			continue
		}
		env := a.envList(", ")
		if a.envNote != "" {
			env += " (" + a.envNote + ")"
		}
		def := ""
		if a.def != "" {
			def = "`" + a.def + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", a.name, env, def)
	}
	chain := quoteAll(credentialChainEnv)
	fmt.Fprintf(&b, "\nThe default credential chain also reads %s and %s.\n", strings.Join(chain[:len(chain)-1], ", "), chain[len(chain)-1])
	return b.String()
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for k, n := range names {
		out[k] = "`" + n + "`"
	}
	return out
}
