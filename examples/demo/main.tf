# The `make demo` configuration: look images up, summarise their risk, show
# the release image's vulnerabilities, secrets and malware, gate it on
# urgent fixable vulnerabilities, and gate the whole release on one typed
# policy with accepted risks (sas_image_gate). scripts/demo.sh runs it
# against the embedded fake SAS API; pointed at the real service (drop
# protocol, set credentials) it works unchanged.

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

# Secrets baked into the release image, by type. Counts and keys only:
# with_files would add each file's masked excerpt of the secret, and the
# state would hold it.
data "sas_image_sensitive_files" "release" {
  image_uuid = data.sas_image_instance.release.uuid
}

# Malicious files in it: the service selects images by digest, and
# image_uuid keeps this image record's files only.
data "sas_image_malicious_files" "release" {
  digest     = data.sas_image_instance.release.digest
  image_uuid = data.sas_image_instance.release.uuid
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

output "release_secrets" {
  description = "The secret types found in the release image, with their level, status and files."
  value = [
    for t in data.sas_image_sensitive_files.release.sensitive_files :
    format("%-18s %-6s %-9s %d file(s)", t.key, t.risk_level, t.status, t.count)
  ]
}

output "release_secret_counts" {
  description = "Secret types of the release image, and those with unprocessed findings by level."
  value       = data.sas_image_sensitive_files.release.summary
}

output "release_malware_counts" {
  description = "Malicious files of the release image, and those still to be dealt with."
  value       = data.sas_image_malicious_files.release.summary
}

# The whole release under one typed policy: the payments-api tag being
# deployed and the auth-service version it ships with. sas_image_gate
# returns the verdict as data, with the findings accepted risks covered;
# the precondition below decides.
data "sas_image_instance" "auth" {
  repo_name = "auth-service"
  tag       = "3.1.0"
}

locals {
  # Image names by digest-pinned reference, for the messages.
  release_names = {
    (local.release.image_reference)                = "payments-api:${var.release_tag}"
    (data.sas_image_instance.auth.image_reference) = "auth-service:3.1.0"
  }
  # The demo runs on any day, so its exceptions expire relative to the
  # plan's time; yours carry fixed dates, such as "2027-01-31".
  today = plantimestamp()
}

data "sas_image_gate" "release" {
  digests = [local.release.digest, data.sas_image_instance.auth.digest]

  vulnerabilities = {} # urgent (asap) ones that have a fix
  baselines       = {} # failed high-level baseline checks
  sensitive_files = { risk_levels = ["high", "medium"] }
  malicious_files = { levels = ["serious", "suspicious"] }
  # No max_scan_age: auth-service:3.1.0 was last scanned 120 days ago, so
  # max_scan_age = "168h" (as in examples/gate) would block the release with
  # a stale_scan violation until the image is scanned again.

  exceptions = [
    {
      kind    = "sensitive_file"
      id      = "ssh_private_key"
      scope   = ["auth-service"]
      expires = formatdate("YYYY-MM-DD", timeadd(local.today, "${90 * 24}h"))
      reason  = "SSH key of the SFTP test fixture, valid nowhere else; removal tracked in AUTH-88"
    },
    {
      kind    = "vulnerability"
      id      = "CVE-2018-25224"
      scope   = ["payments-api"]
      expires = formatdate("YYYY-MM-DD", timeadd(local.today, "${5 * 24}h"))
      reason  = "bind-license holds license texts only, nothing runs it; upgraded in 1.4.3 (PAY-311)"
    },
  ]
}

locals {
  gate = data.sas_image_gate.release
}

output "release_gate" {
  description = "The release gate's verdict."
  value       = "${local.gate.passed ? "passed" : "blocked"} (${local.gate.summary.images} image(s), ${local.gate.summary.violations} violation(s), ${local.gate.summary.excepted} accepted risk(s))"

  precondition {
    condition = local.gate.passed
    error_message = "Release blocked: ${local.gate.summary.violations} violation(s):\n${join("\n", [
      for v in local.gate.violations :
      "- ${lookup(local.release_names, v.image_reference, v.image_reference)} ${v.kind}: ${v.kind == "malicious_file" ? coalesce(v.title, v.id) : v.id}"
    ])}"
  }
}

output "release_gate_images" {
  description = "Each image of the release and whether it passed."
  value       = [for i in local.gate.images : format("%-20s %s", lookup(local.release_names, i.image_reference, i.uuid), i.passed ? "passed" : "blocked")]
}

output "release_gate_accepted" {
  description = "The findings accepted risks let through, with why and until when."
  value = [
    for e in local.gate.excepted :
    "${e.kind} ${e.id} (${e.level}) in ${lookup(local.release_names, e.image_reference, e.image_reference)}, until ${e.expires}: ${e.reason}"
  ]
}

output "release_gate_unused" {
  description = "Exceptions that covered nothing: delete them."
  value       = [for e in local.gate.unused_exceptions : "${e.kind} ${e.id}, until ${e.expires}: ${e.reason}"]
}
