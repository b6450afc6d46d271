package provider

import (
	"fmt"
	"os"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// credentialSearchOrder is shown when no credential can be found.
func credentialSearchOrder() string {
	return fmt.Sprintf(`The sas provider looks for credentials, in this order:
  1. access_key and secret_key (and security_token) in the provider block;
  2. the environment: %s, %s (and %s);
  3. ecs_role_name or %s (the ECS instance's RAM role);
  4. profile / shared_credentials_file, or %s / %s (the aliyun CLI's ~/.aliyun/config.json);
  5. otherwise the Alibaba Cloud default chain: OIDC (%s, %s, %s), the CLI profile,
     ~/.alibabacloud/credentials (%s), the ECS metadata role, and %s.
assume_role (or %s) then assumes a RAM role on top of whichever was found.`,
		envNames("access_key"), envNames("secret_key"), envNames("security_token"),
		envNames("ecs_role_name"), envNames("profile"), envNames("shared_credentials_file"),
		envNames("assume_role.role_arn"), envOIDCProviderARN, envOIDCTokenFile,
		envCredentialsFile, envCredentialsURI, envNames("assume_role.role_arn"))
}

// baseCredentialsProvider picks the credential source the settings name,
// falling back to the official default chain.
func (s settings) baseCredentialsProvider() (providers.CredentialsProvider, error) {
	switch {
	case s.accessKey != "" && s.securityToken != "":
		return providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(s.accessKey).WithAccessKeySecret(s.secretKey).WithSecurityToken(s.securityToken).Build()
	case s.accessKey != "":
		return providers.NewStaticAKCredentialsProviderBuilder().
			WithAccessKeyId(s.accessKey).WithAccessKeySecret(s.secretKey).Build()
	case s.ecsRoleName != "":
		return providers.NewECSRAMRoleCredentialsProviderBuilder().WithRoleName(s.ecsRoleName).Build()
	case s.profile != "" || s.sharedCredentialsFile != "":
		b := providers.NewCLIProfileCredentialsProviderBuilder()
		if s.profile != "" {
			b = b.WithProfileName(s.profile)
		}
		if s.sharedCredentialsFile != "" {
			b = b.WithProfileFile(s.sharedCredentialsFile)
		}
		return b.Build()
	default:
		return providers.NewDefaultCredentialsProvider(), nil
	}
}

// credential builds the credential the client signs with. Nothing here
// contacts a network: credentials are fetched lazily, on the first request.
func (s settings) credential() (credentials.Credential, diag.Diagnostics) {
	var diags diag.Diagnostics
	base, err := s.baseCredentialsProvider()
	if err != nil {
		diags.AddError("Invalid credential configuration", fmt.Sprintf("%s\n\n%s", err, credentialSearchOrder()))
		return nil, diags
	}
	if s.assumeRole == nil {
		return credentials.FromCredentialsProvider("sas", base), diags
	}
	b := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(base).
		WithRoleArn(s.assumeRole.roleARN).
		WithRoleSessionName(s.assumeRole.sessionName).
		WithDurationSeconds(s.assumeRole.sessionExpiration).
		WithStsRegionId(s.region)
	if s.assumeRole.externalID != "" {
		b = b.WithExternalId(s.assumeRole.externalID)
	}
	if s.assumeRole.policy != "" {
		b = b.WithPolicy(s.assumeRole.policy)
	}
	roleProvider, err := b.Build()
	if err != nil {
		diags.AddAttributeError(path.Root("assume_role"), "Invalid assume_role", err.Error())
		return nil, diags
	}
	return credentials.FromCredentialsProvider("sas", roleProvider), diags
}

// newClient builds the SAS API client from the settings.
func (s settings) newClient(version string) (*sasapi.Client, diag.Diagnostics) {
	cred, diags := s.credential()
	if diags.HasError() {
		return nil, diags
	}
	var caPEM []byte
	if s.caBundleFile != "" {
		pem, err := os.ReadFile(s.caBundleFile)
		if err != nil {
			diags.AddAttributeError(path.Root("ca_bundle_file"), "Cannot read CA bundle", err.Error())
			return nil, diags
		}
		caPEM = pem
	}
	httpClient, err := sasapi.NewHTTPClient(s.connectTimeout, caPEM)
	if err != nil {
		diags.AddAttributeError(path.Root("ca_bundle_file"), "Invalid CA bundle", fmt.Sprintf("%s: %s", s.caBundleFile, err))
		return nil, diags
	}
	client, err := sasapi.New(sasapi.Config{
		Endpoint:       s.endpoint,
		Protocol:       s.protocol,
		Credential:     cred,
		HTTPClient:     httpClient,
		ConnectTimeout: s.connectTimeout,
		ReadTimeout:    s.readTimeout,
		RetryTimeout:   s.retryTimeout,
		MaxRetries:     s.maxRetries,
		MaxConcurrency: s.maxConcurrency,
		UserAgent:      "terraform-provider-sas/" + version,
	})
	if err != nil {
		diags.AddError("Cannot create the SAS API client", err.Error())
		return nil, diags
	}
	return client, diags
}
