# A strict gate people can keep switched on: block the deployment when the
# image has an urgent (asap) vulnerability that can be fixed, and when the
# image was never scanned; let it through with vulnerabilities that have no
# fix yet or are not urgent. Most real images have some vulnerabilities, so
# a gate on "no vulnerabilities at all" blocks nearly everything.
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

# The provider reads its region and credentials from the environment
# (ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID, ...); see the provider
# documentation.

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

# The vulnerabilities still in the image: fixed rows are left out.
data "sas_image_vulnerabilities" "release" {
  image_uuids = data.sas_image_instances.release.ids
  statuses    = ["unfixed", "fixing"]
}

locals {
  image_name      = "${var.repository}:${var.release_tag}"
  vulnerabilities = data.sas_image_vulnerabilities.release
  urgent_fixable = [
    for v in local.vulnerabilities.vulnerabilities : v
    if v.necessity == "asap" && v.can_fix == true
  ]
  # Up to five offenders, each with its package and the command that fixes it.
  offenders = [
    for v in slice(local.urgent_fixable, 0, min(5, length(local.urgent_fixable))) :
    "${v.name} in ${try(v.packages[0].name, "an unknown package")}: ${try(coalesce(v.packages[0].update_cmd), "see the Security Center console")}"
  ]
  more = length(local.urgent_fixable) > 5 ? "\n  (and ${length(local.urgent_fixable) - 5} more)" : ""
}

resource "terraform_data" "deployment" {
  input = local.image_name

  lifecycle {
    # Fail closed: an image never scanned has no vulnerability rows, which
    # means unknown, not safe.
    precondition {
      condition     = data.sas_image_instances.release.summary.not_scanned == 0
      error_message = "Not deploying ${local.image_name}: Security Center has not scanned it yet, so its vulnerabilities are unknown."
    }

    precondition {
      condition     = local.vulnerabilities.summary.asap_fixable == 0
      error_message = "Not deploying ${local.image_name}: ${local.vulnerabilities.summary.asap_fixable} urgent vulnerabilities have a fix. Upgrade the packages and release a new tag:\n  ${join("\n  ", local.offenders)}${local.more}"
    }
  }
}

output "deployed_image" {
  description = "The image that passed the gate."
  value       = terraform_data.deployment.output
}

output "vulnerabilities_by_priority" {
  description = "Vulnerabilities still in the image, by fix priority; only urgent ones with a fix block."
  value = {
    asap  = local.vulnerabilities.summary.asap
    later = local.vulnerabilities.summary.later
    nntf  = local.vulnerabilities.summary.nntf
  }
}
