// Package provider implements the sas Terraform provider and its data sources.
package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var _ provider.Provider = (*SASProvider)(nil)

// SASProvider is the sas provider.
type SASProvider struct {
	version string
}

// New returns a constructor of the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &SASProvider{version: version}
	}
}

// providerData is what Configure hands to the data sources.
type providerData struct {
	client *sasapi.Client
	region string
}

func (p *SASProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sas"
	resp.Version = p.version
}

func (p *SASProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `sas` provider reads container-image inventory and risk data from " +
			"[Alibaba Cloud Security Center](https://www.alibabacloud.com/product/security-center) (API product `Sas`, " +
			"version 2018-12-03), so that plans can look images up and gate deployments on image risk. " +
			"Every argument is optional; most fall back to the environment variables the official Alibaba Cloud tools use.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Region whose Security Center endpoint is used. `cn-*` regions, `cn-hongkong` included, use `tds.cn-shanghai.aliyuncs.com`; all others `tds.ap-southeast-1.aliyuncs.com`. Defaults to `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`, then `cn-hangzhou`.",
				Validators:          []validator.String{stringvalidator.RegexMatches(regionPattern, "must be a region id such as cn-hangzhou or ap-southeast-1")},
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AccessKey ID. Defaults to `ALIBABA_CLOUD_ACCESS_KEY_ID`, then `ALICLOUD_ACCESS_KEY`. Requires `secret_key`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("secret_key"))},
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AccessKey secret. Defaults to `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, then `ALICLOUD_SECRET_KEY`. Never logged.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("access_key"))},
			},
			"security_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "STS security token, for temporary AccessKeys. Defaults to `ALIBABA_CLOUD_SECURITY_TOKEN`, then `ALICLOUD_SECURITY_TOKEN`. Never logged.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Profile of the Alibaba Cloud CLI configuration file (`~/.aliyun/config.json`) to take credentials from. Defaults to `ALIBABA_CLOUD_PROFILE`, then `ALICLOUD_PROFILE`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"shared_credentials_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of the Alibaba Cloud CLI configuration file holding `profile`. Defaults to `ALIBABA_CLOUD_CONFIG_FILE`, then `~/.aliyun/config.json`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"assume_role": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Assume a RAM role on top of the base credential. The temporary credential is refreshed automatically. `role_arn` defaults to `ALIBABA_CLOUD_ROLE_ARN` when this block is absent but the variable is set.",
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "ARN of the RAM role, `acs:ram::<account-id>:role/<role-name>`.",
						Validators:          []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must look like acs:ram::<account-id>:role/<role-name>")},
					},
					"session_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Role session name, visible in ActionTrail. Defaults to `terraform-provider-sas`.",
						Validators:          []validator.String{stringvalidator.RegexMatches(sessionNamePattern, "must be 2 to 64 letters, digits, '.', '@', '-' or '_'")},
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "External ID the role's trust policy requires, if any.",
						Validators:          []validator.String{stringvalidator.LengthBetween(2, 1224)},
					},
					"policy": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "A RAM policy document (JSON) that further restricts the assumed role's permissions.",
						Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
					},
					"session_expiration": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: "Lifetime of the role session in seconds, 900 to 43200. Defaults to 3600.",
						Validators:          []validator.Int64{int64validator.Between(900, 43200)},
					},
				},
			},
			"ecs_role_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "RAM role attached to the ECS instance Terraform runs on; credentials come from the instance metadata service. Defaults to `ALIBABA_CLOUD_ECS_METADATA`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"endpoint": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Security Center API endpoint as `host[:port]`, overriding the one `region` selects (private endpoints, proxies, tests). Defaults to `ALIBABA_CLOUD_ENDPOINT_SAS`, then `SAS_ENDPOINT`.",
				Validators:          []validator.String{endpointValidator{}},
			},
			"protocol": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`HTTPS` (default) or `HTTP`. Plain HTTP sends signed requests in clear text: use it only for a local endpoint; the provider warns otherwise. Defaults to `SAS_PROTOCOL`, then `HTTPS`.",
				Validators:          []validator.String{stringvalidator.OneOf("HTTPS", "HTTP")},
			},
			"ca_bundle_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of a PEM file of extra certificate authorities to trust, for TLS-intercepting corporate proxies and private endpoints. The system roots stay trusted. Defaults to `SAS_CA_BUNDLE`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("How many times a request that failed for a transient reason (throttling, `ServiceUnavailable`, HTTP 5xx, gateway errors, network errors, timeouts) is retried, with exponential backoff and jitter and honouring `Retry-After`. `0` disables retries. Defaults to %d.", sasapi.DefaultMaxRetries),
				Validators:          []validator.Int64{int64validator.Between(0, 100)},
			},
			"max_concurrency": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("How many requests the provider has in flight at the same time, all its data sources together, 1 to 32. While the service throttles, this is halved and requests are paced to the rate the service grants, learnt from the throttling and `Retry-After`. Defaults to %d: enough to read 10,000 images in about 11 round trips, few enough that little is throttled before the pace is learnt.", sasapi.DefaultMaxConcurrency),
				Validators:          []validator.Int64{int64validator.Between(1, 32)},
			},
			"connect_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Time allowed to open a connection, as a Go duration such as `10s`. Defaults to `%s`.", sasapi.DefaultConnectTimeout),
				Validators:          []validator.String{durationValidator{}},
			},
			"read_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Time allowed for one request, from sending it to the last byte of the answer, as a Go duration such as `30s`. A request that takes longer is retried. Defaults to `%s`.", sasapi.DefaultReadTimeout),
				Validators:          []validator.String{durationValidator{}},
			},
			"retry_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Total time one request may take including its retries, as a Go duration such as `2m`. Defaults to `%s`.", sasapi.DefaultRetryTimeout),
				Validators:          []validator.String{durationValidator{}},
			},
		},
	}
}

func (p *SASProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	warnLibraryDebugSuppressed(ctx)
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if unknown := model.unknownAttributes(); len(unknown) > 0 {
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		for _, attr := range unknown {
			resp.Diagnostics.AddAttributeError(attr, "Provider argument unknown at plan time",
				"The sas provider cannot read images before this value is known: it depends on a resource that is not created yet. "+
					"Set it to a value known at plan time, use its environment variable instead, or apply the resource it depends on first (-target).")
		}
		return
	}

	settings, diags := model.resolve(envLookup)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := settings.newClient(p.version)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, w := range settings.warnings() {
		resp.Diagnostics.AddWarning(w.summary, w.detail)
	}
	tflog.Debug(ctx, "sas provider configured", map[string]any{
		"region": settings.region, "endpoint": settings.endpoint, "protocol": settings.protocol,
		"credential_source": settings.credentialSource(), "max_retries": settings.maxRetries, "max_concurrency": settings.maxConcurrency,
	})
	data := &providerData{client: client, region: settings.region}
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *SASProvider) Resources(context.Context) []func() resource.Resource {
	return nil
}

func (p *SASProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewImageInstancesDataSource,
		NewImageCriteriaDataSource,
	}
}
