# Gate a deployment on the image's baseline (configuration) checks rather
# than on hc_count: block it while a high-level baseline is unfixed, unless
# every open check item of that baseline is whitelisted. Low- and
# medium-level findings, and high-level ones already fixed, do not block.
#
#   terraform apply -var repository=payments-api -var release_tag=1.4.3
#
# terraform_data stands in for your deployment resource: copy the lifecycle
# block there.

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
      condition     = length(self.images) == 1
      error_message = "Expected exactly one image ${var.repository}:${var.release_tag} in Security Center, found ${length(self.images)}. Check repository and release_tag, or set namespace."
    }
  }
}

locals {
  image      = data.sas_image_instances.release.images[0]
  image_name = "${local.image.repo_name}:${local.image.tag}"
}

# The high-level baselines of the image, with their check items.
data "sas_image_baselines" "release" {
  image_uuid  = local.image.uuid
  risk_levels = ["high"]
  with_items  = true
}

locals {
  # A baseline blocks while it is unfixed and one of its check items is
  # still open (unfixed, pending verification or fix failed) and not
  # whitelisted.
  unfixed = [for b in data.sas_image_baselines.release.baselines : b if b.status == "unfixed"]
  blocking_baselines = [
    for b in local.unfixed : b.name
    if anytrue([for item in b.items : item.status != "fixed" && !item.whitelisted])
  ]
  whitelisted_baselines = [for b in local.unfixed : b.name if !contains(local.blocking_baselines, b.name)]
}

resource "terraform_data" "deployment" {
  # Deploy by digest, so the image that runs is the image that was checked.
  input = "${local.image.repo_namespace}/${local.image.repo_name}@sha256:${trimprefix(local.image.digest, "sha256:")}"

  lifecycle {
    # Fail closed: an image never scanned has no baselines at all, which
    # means unknown, not clean.
    precondition {
      condition     = local.image.sca_status == "SUCCESS" && local.image.last_scanned_at != null
      error_message = "Not deploying ${local.image_name}: Security Center has not scanned it yet, so its baseline risks are unknown."
    }

    precondition {
      condition     = length(local.blocking_baselines) == 0
      error_message = "Not deploying ${local.image_name}: unfixed high-level baseline risks that are not whitelisted: ${join(", ", local.blocking_baselines)}."
    }
  }
}

output "deployed_image" {
  description = "The digest-pinned image reference that was deployed."
  value       = terraform_data.deployment.output
}

output "whitelisted_baselines" {
  description = "Unfixed high-level baselines let through because every open check item is whitelisted."
  value       = local.whitelisted_baselines
}
