terraform {
  required_providers {
    sas = {
      source = "terraform-sas/sas"
    }
  }
}

# Keep credentials out of the configuration. Without access_key and
# secret_key the provider takes them from the environment
# (ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, plus
# ALIBABA_CLOUD_SECURITY_TOKEN for STS), an Alibaba Cloud CLI profile, the
# RAM role of the ECS instance Terraform runs on, or OIDC role federation in
# CI. See "Authentication" below.
provider "sas" {
  # cn-* regions (cn-hongkong included) use the endpoint
  # tds.cn-shanghai.aliyuncs.com; every other region uses
  # tds.ap-southeast-1.aliyuncs.com.
  region = "cn-hangzhou"
}
