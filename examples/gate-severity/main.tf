# Gate on CVSS severity: block the deployment when the image has a serious
# or high CVE that can be fixed, or any CVE scoring var.max_cvss or more,
# and when the severity of a vulnerability is unknown (fail closed). The
# severity comes from DescribeVulDetails, one request per distinct
# vulnerability name (with_cve_details).
#
#   terraform apply -var repository=payments-api -var release_tag=1.4.3
#
# terraform_data stands in for your real deployment resource: copy the
# lifecycle block there.

terraform {
  required_providers {
    sas = {
      source = "terraform-sas/sas"
    }
  }
}

variable "repository" {
  description = "Repository name of the image to deploy, such as payments-api."
  type        = string
}

variable "release_tag" {
  description = "Tag of the image to deploy, such as 1.4.3."
  type        = string
}

variable "namespace" {
  description = "Registry namespace of the repository; null searches every namespace."
  type        = string
  default     = null
}

variable "max_cvss" {
  description = "Block when any CVE of the image scores this much or more (CVSS), with a fix or without."
  type        = number
  default     = 9.0
}

variable "allow_unknown_severity" {
  description = "Let vulnerabilities whose severity Security Center does not know (no CVE level in their details) through. Unknown is not safe: keep false unless you review them elsewhere."
  type        = bool
  default     = false
}

data "sas_image_instances" "release" {
  criteria = concat(
    [
      { name = "repoName", value = var.repository },
      { name = "tag", value = var.release_tag },
    ],
    var.namespace == null ? [] : [{ name = "repoNamespace", value = var.namespace }],
  )

  lifecycle {
    postcondition {
      condition     = self.summary.images == 1
      error_message = "Expected exactly one image ${var.repository}:${var.release_tag} in Security Center, found ${self.summary.images}. Check repository and release_tag, or set namespace."
    }
  }
}

data "sas_image_vulnerabilities" "release" {
  image_uuids      = data.sas_image_instances.release.ids
  statuses         = ["unfixed", "fixing"]
  with_cve_details = true
}

locals {
  image_name = "${var.repository}:${var.release_tag}"
  result     = data.sas_image_vulnerabilities.release
  severe_fixable = [
    for v in local.result.vulnerabilities : v
    if contains(["serious", "high"], coalesce(v.severity, "unknown")) && v.can_fix == true
  ]
  severe_lines = [
    for v in slice(local.severe_fixable, 0, min(5, length(local.severe_fixable))) :
    "${v.name} (${v.severity}, CVSS ${coalesce(v.max_cvss_score, "unknown")}): ${try(coalesce(v.packages[0].update_cmd), "see the Security Center console")}"
  ]
  unknown_severity = [for v in local.result.vulnerabilities : v.name if v.severity == null]
  max_cvss_score   = coalesce(local.result.summary.max_cvss_score, 0)
}

resource "terraform_data" "deployment" {
  input = local.image_name

  lifecycle {
    precondition {
      condition     = data.sas_image_instances.release.summary.not_scanned == 0
      error_message = "Not deploying ${local.image_name}: Security Center has not scanned it yet, so its vulnerabilities are unknown."
    }

    precondition {
      condition     = length(local.severe_fixable) == 0
      error_message = "Not deploying ${local.image_name}: ${length(local.severe_fixable)} serious or high vulnerabilities have a fix:\n  ${join("\n  ", local.severe_lines)}"
    }

    precondition {
      condition     = local.max_cvss_score < var.max_cvss
      error_message = "Not deploying ${local.image_name}: a CVE scores CVSS ${local.max_cvss_score}, at least the ${var.max_cvss} allowed (max_cvss)."
    }

    # Fail closed: a vulnerability whose details list no CVE level has an
    # unknown severity, which is not a low one.
    precondition {
      condition     = var.allow_unknown_severity || local.result.summary.unknown_severity == 0
      error_message = "Not deploying ${local.image_name}: the severity of ${local.result.summary.unknown_severity} vulnerabilities is unknown (${join(", ", local.unknown_severity)}). Review them, then set allow_unknown_severity = true to deploy anyway."
    }
  }
}

output "deployed_image" {
  description = "The image that passed the gate."
  value       = terraform_data.deployment.output
}

output "severities" {
  description = "Vulnerabilities still in the image by the severity of their CVEs, and the highest CVSS score."
  value = {
    serious        = local.result.summary.serious
    high           = local.result.summary.high
    medium         = local.result.summary.medium
    low            = local.result.summary.low
    unknown        = local.result.summary.unknown_severity
    max_cvss_score = local.result.summary.max_cvss_score
  }
}
