# Hard gate: the plan fails when the release image is risky or was never
# scanned, so nothing in this configuration is planned or applied.
#
#   terraform plan -var repository=payments-api -var release_tag=1.4.2
#
# The postconditions belong to the lookup itself, so every configuration that
# copies this block carries the gate with it. When the criteria are known at
# plan time (variables, locals) the data source is read and checked during
# plan; when they depend on a resource not created yet, the read, and so the
# check, happen during apply, before anything that depends on the image.

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
  description = "Repository name of the image to release, such as payments-api."
  type        = string
}

variable "release_tag" {
  description = "Tag of the image to release, such as 1.4.3."
  type        = string
}

variable "namespace" {
  description = "Registry namespace of the repository; null searches every namespace."
  type        = string
  default     = null
}

locals {
  image_name = "${var.repository}:${var.release_tag}"
  criteria = concat(
    [
      { name = "repoName", value = var.repository },
      { name = "tag", value = var.release_tag },
    ],
    var.namespace == null ? [] : [{ name = "repoNamespace", value = var.namespace }],
  )
}

data "sas_image_instances" "release" {
  criteria = local.criteria

  lifecycle {
    # Fail closed: an image Security Center does not know was never checked.
    postcondition {
      condition     = self.total_count > 0
      error_message = "Image ${local.image_name} is not known to Security Center, so its risk was never checked. Push it to a registry Security Center scans, or fix repository and release_tag."
    }

    # Fail closed: a never-scanned image has zero counts and risk_status NO,
    # which means unknown, not safe.
    postcondition {
      condition     = self.summary.not_scanned == 0
      error_message = "Image ${local.image_name} has not been scanned by Security Center yet, so its risk is unknown. Wait for the scan to finish (or start one) and plan again."
    }

    postcondition {
      condition     = self.summary.risky == 0
      error_message = "Image ${local.image_name} is risky: ${self.summary.vulnerabilities} vulnerabilities, ${sum(concat([0], [for i in self.images : coalesce(i.hc_count, 0)]))} baseline risks, ${sum(concat([0], [for i in self.images : coalesce(i.alarm_count, 0)]))} security alerts. Fix them and release a new tag."
    }
  }
}

output "digest" {
  description = "Digest of the image that passed the gate."
  value       = data.sas_image_instances.release.images[0].digest
}

output "last_scanned_at" {
  description = "When Security Center last scanned the image that passed the gate."
  value       = data.sas_image_instances.release.images[0].last_scanned_at
}
