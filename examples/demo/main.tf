# The `make demo` configuration: look images up, summarise their risk, and
# gate a release on it. scripts/demo.sh runs it against the embedded fake SAS
# API; pointed at the real service (drop protocol, set credentials) it works
# unchanged.

terraform {
  required_providers {
    sas = {
      source = "terraform-sas/sas"
    }
  }
}

# The demo's fake API listens on loopback without TLS; the endpoint and the
# credentials come from ALIBABA_CLOUD_ENDPOINT_SAS and ALIBABA_CLOUD_ACCESS_KEY_*.
provider "sas" {
  protocol = "HTTP"
}

variable "release_tag" {
  description = "Tag of payments-api to deploy."
  type        = string
  default     = "1.4.3"
}

# Every image in the account: only the summary and ids are kept in the state.
data "sas_image_instances" "all" {
  summary_only = true
}

# Every image, with details, to rank the riskiest.
data "sas_image_instances" "details" {}

locals {
  # sort() orders strings, so rank by a zero-padded inverted count.
  ranked = sort([
    for i in data.sas_image_instances.details.images :
    format("%08d %s/%s:%s", 99999999 - i.vul_count, i.repo_namespace, i.repo_name, i.tag)
    if i.vul_count > 0
  ])
  riskiest = [
    for line in slice(local.ranked, 0, min(5, length(local.ranked))) :
    format("%-45s %4d vulnerabilities", split(" ", line)[1], 99999999 - tonumber(split(" ", line)[0]))
  ]
}

# The gate: the release image must exist, have been scanned, and carry no risk.
data "sas_image_instances" "release" {
  criteria = [
    { name = "repoName", value = "payments-api" },
    { name = "tag", value = var.release_tag },
  ]

  lifecycle {
    postcondition {
      condition     = self.total_count > 0
      error_message = "payments-api:${var.release_tag} is not known to Security Center."
    }
    postcondition {
      condition     = self.summary.not_scanned == 0
      error_message = "payments-api:${var.release_tag} was never successfully scanned; its risk is unknown."
    }
    postcondition {
      condition     = self.summary.risky == 0
      error_message = "payments-api:${var.release_tag} is risky: ${self.summary.vulnerabilities} vulnerabilities, ${self.summary.baseline_risks} images with baseline risks, ${self.summary.alerting} with alerts."
    }
  }
}

output "images" {
  description = "Images known to Security Center."
  value       = data.sas_image_instances.all.summary.images
}

output "risky" {
  description = "Images with any risk."
  value       = data.sas_image_instances.all.summary.risky
}

output "not_scanned" {
  description = "Images never successfully scanned (risk unknown)."
  value       = data.sas_image_instances.all.summary.not_scanned
}

output "deployed_risky" {
  description = "Deployed images with any risk."
  value       = data.sas_image_instances.all.summary.deployed_risky
}

output "riskiest" {
  description = "The five images with the most vulnerabilities."
  value       = local.riskiest
}

output "release" {
  description = "The release image that passed the gate."
  value       = "payments-api:${var.release_tag} (${data.sas_image_instances.release.ids[0]})"
}
