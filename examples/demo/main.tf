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

# The release image: exactly one (the read fails on none or several), pinned
# by digest.
data "sas_image_instance" "release" {
  repo_name = "payments-api"
  tag       = var.release_tag
}

# Its vulnerabilities that still need work, with Security Center's fix
# priority, whether a fix exists and the command that applies it.
data "sas_image_vulnerabilities" "release" {
  image_uuids = [data.sas_image_instance.release.uuid]
  statuses    = ["unfixed", "fixing"]
}

locals {
  release      = data.sas_image_instance.release
  release_vuls = data.sas_image_vulnerabilities.release
  # Most urgent first: priority, then fixable before not, then service order.
  priority_rank = { asap = 0, later = 1, nntf = 2 }
  most_urgent = [
    for key in sort([
      for i, v in local.release_vuls.vulnerabilities :
      format("%d%d%05d", lookup(local.priority_rank, coalesce(v.necessity, "nntf"), 3), v.can_fix == true ? 0 : 1, i)
    ]) : local.release_vuls.vulnerabilities[tonumber(substr(key, 2, 5))]
  ]
  urgent_fixable = [
    for v in local.release_vuls.vulnerabilities :
    "${v.name} (${try(v.packages[0].update_cmd, "no upgrade command")})"
    if v.necessity == "asap" && v.can_fix == true
  ]
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

output "release_vulnerabilities_by_priority" {
  description = "Unfixed vulnerabilities of the release image, by fix priority."
  value       = { for p in ["asap", "later", "nntf"] : p => local.release_vuls.summary[p] }
}

output "release_most_urgent" {
  description = "The three most urgent vulnerabilities of the release image, with the command that fixes each."
  value = [
    for v in slice(local.most_urgent, 0, min(3, length(local.most_urgent))) :
    format("%-6s %-28s %s", v.necessity, v.name, v.can_fix == true ? try(v.packages[0].update_cmd, "") : "no fix yet")
  ]
}

# The gate a team can keep switched on: the image must have been scanned
# (risk unknown otherwise) and have no urgent vulnerability that can be
# fixed. Less urgent or not yet fixable ones are reported, not blocking.
output "release" {
  description = "The release image that passed the gate, pinned by digest."
  value       = local.release.image_reference

  precondition {
    condition     = local.release.scanned
    error_message = "payments-api:${var.release_tag} was never successfully scanned; its risk is unknown."
  }
  precondition {
    condition     = local.release_vuls.summary.asap_fixable == 0
    error_message = "payments-api:${var.release_tag} has ${local.release_vuls.summary.asap_fixable} urgent vulnerabilities with a fix: ${join(", ", local.urgent_fixable)}."
  }
}
