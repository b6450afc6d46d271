// Package provider implements the sas Terraform provider and its data sources.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"
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
				MarkdownDescription: describe("region"),
				Validators:          []validator.String{stringvalidator.RegexMatches(regionPattern, "must be a region id such as cn-hangzhou or ap-southeast-1")},
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("access_key"),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("secret_key"))},
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: describe("secret_key"),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.AlsoRequires(path.MatchRoot("access_key"))},
			},
			"security_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: describe("security_token"),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("profile"),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"shared_credentials_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("shared_credentials_file"),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"assume_role": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: describe("assume_role"),
				Attributes: map[string]schema.Attribute{
					"role_arn": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: describe("assume_role.role_arn"),
						Validators:          []validator.String{stringvalidator.RegexMatches(roleARNPattern, "must look like acs:ram::<account-id>:role/<role-name>")},
					},
					"session_name": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: describe("assume_role.session_name"),
						Validators:          []validator.String{stringvalidator.RegexMatches(sessionNamePattern, "must be 2 to 64 letters, digits, '.', '@', '-' or '_'")},
					},
					"external_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: describe("assume_role.external_id"),
						Validators:          []validator.String{stringvalidator.LengthBetween(2, 1224)},
					},
					"policy": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: describe("assume_role.policy"),
						Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
					},
					"session_expiration": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: describe("assume_role.session_expiration"),
						Validators:          []validator.Int64{int64validator.Between(900, 43200)},
					},
				},
			},
			"ecs_role_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("ecs_role_name"),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"endpoint": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("endpoint"),
				Validators:          []validator.String{endpointValidator()},
			},
			"protocol": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("protocol"),
				Validators:          []validator.String{stringvalidator.OneOf("HTTPS", "HTTP")},
			},
			"ca_bundle_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("ca_bundle_file"),
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: describe("max_retries"),
				Validators:          []validator.Int64{int64validator.Between(0, 100)},
			},
			"max_concurrency": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: describe("max_concurrency"),
				Validators:          []validator.Int64{int64validator.Between(1, 32)},
			},
			"connect_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("connect_timeout"),
				Validators:          []validator.String{durationValidator()},
			},
			"read_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("read_timeout"),
				Validators:          []validator.String{durationValidator()},
			},
			"retry_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: describe("retry_timeout"),
				Validators:          []validator.String{durationValidator()},
			},
		},
	}
}

func (p *SASProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	warnLibraryDebugSuppressed(ctx)
	if unknown := unknownPaths(req.Config.Raw); len(unknown) > 0 {
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
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
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
	data := &providerData{client: client, region: settings.region, endpoint: settings.endpoint}
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *SASProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewImageScanResource,
	}
}

func (p *SASProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewImageInstancesDataSource,
		NewImageCriteriaDataSource,
		NewImageBaselinesDataSource,
		NewImageInstanceDataSource,
		NewImageVulnerabilitiesDataSource,
		NewImageSensitiveFilesDataSource,
		NewImageMaliciousFilesDataSource,
		NewImageGateDataSource,
	}
}
