# Freshness gate: fail the plan when the release image was last scanned more
# than max_scan_age_days ago, or never. A scan only knows the vulnerabilities
# published before it ran: an image that was clean 120 days ago may not be
# clean today.
#
#   terraform plan -var repository=auth-service -var release_tag=3.1.0 -var max_scan_age_days=30
#
# Combine it with the risk gate of the gate-postcondition example: this one
# only looks at when the image was scanned, not at what the scan found.

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
  description = "Repository name of the image to release, such as auth-service."
  type        = string
}

variable "release_tag" {
  description = "Tag of the image to release, such as 3.1.0."
  type        = string
}

variable "namespace" {
  description = "Registry namespace of the repository; null searches every namespace."
  type        = string
  default     = null
}

variable "max_scan_age_days" {
  description = "How many days old the last scan of the image may be."
  type        = number
  default     = 30

  validation {
    condition     = var.max_scan_age_days > 0 && floor(var.max_scan_age_days) == var.max_scan_age_days
    error_message = "max_scan_age_days must be a whole number of days, at least 1."
  }
}

locals {
  image_name = "${var.repository}:${var.release_tag}"
  # timeadd() takes a duration in hours at most.
  max_scan_age = "${var.max_scan_age_days * 24}h"
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
      condition     = self.total_count > 0
      error_message = "Image ${local.image_name} is not known to Security Center, so it was never scanned."
    }

    # An image is fresh when its last scan plus max_scan_age is not before
    # the time of this plan. plantimestamp() is fixed for a whole run (apply
    # reuses the plan's), unlike timestamp(). last_scanned_at is null for an
    # image that was never scanned: that is never fresh. The conditional
    # keeps null away from timeadd(), which rejects it.
    postcondition {
      condition = alltrue([
        for i in self.images :
        i.last_scanned_at == null ? false : timecmp(timeadd(i.last_scanned_at, local.max_scan_age), plantimestamp()) >= 0
      ])
      error_message = join(" ", [
        for i in self.images :
        i.last_scanned_at == null
        ? "Image ${i.repo_name}:${i.tag} was never scanned by Security Center, so its risk is unknown."
        : "Image ${i.repo_name}:${i.tag} was last scanned at ${i.last_scanned_at}, more than ${var.max_scan_age_days} days ago: rescan it before releasing it."
        if(i.last_scanned_at == null ? true : timecmp(timeadd(i.last_scanned_at, local.max_scan_age), plantimestamp()) < 0)
      ])
    }
  }
}

output "last_scanned_at" {
  description = "When Security Center last scanned the image that passed the gate."
  value       = data.sas_image_instances.release.images[0].last_scanned_at
}
