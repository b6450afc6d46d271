# Look up one image in Security Center by repository and tag, and show its
# digest, risk and last scan time.
#
#   terraform apply -var repository=payments-api -var release_tag=1.4.3
#
# This is a lookup, not a gate: it succeeds whatever the image's risk. See
# the gate-* examples to stop a deployment on risk.

terraform {
  required_providers {
    sas = {
      source = "terraform-sas/sas"
    }
  }
}

# No provider block is needed: the provider reads its region and credentials
# from the environment (ALIBABA_CLOUD_REGION, ALIBABA_CLOUD_ACCESS_KEY_ID,
# ALIBABA_CLOUD_ACCESS_KEY_SECRET, ...). Add a `provider "sas"` block to set
# them here instead.

variable "repository" {
  description = "Repository name of the image, without registry or namespace, such as payments-api."
  type        = string
}

variable "release_tag" {
  description = "Tag of the image, such as 1.4.3."
  type        = string
}

variable "namespace" {
  description = "Registry namespace of the repository. Set it when the same repository name exists in several namespaces; null searches all of them."
  type        = string
  default     = null
}

locals {
  # Criteria combine with AND: repository, tag and, when set, namespace.
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
    # A lookup that matches nothing, or several images (the same repository
    # name in several namespaces or registries), would silently describe the
    # wrong image: fail instead.
    postcondition {
      condition     = length(self.images) == 1
      error_message = "Expected exactly one image ${var.repository}:${var.release_tag} in Security Center, found ${length(self.images)}. Check repository and release_tag, or set namespace to choose one."
    }
  }
}

locals {
  image = data.sas_image_instances.release.images[0]
}

output "image" {
  description = "The image found, as namespace/repository:tag."
  value       = "${local.image.repo_namespace}/${local.image.repo_name}:${local.image.tag}"
}

output "digest" {
  description = "Manifest digest of the image: deploy by digest so that the image that was checked is the image that runs."
  value       = local.image.digest
}

output "risk_status" {
  description = "YES when Security Center found vulnerabilities, baseline risks or alerts; NO otherwise (NO also when never scanned: see scanned)."
  value       = local.image.risk_status
}

output "vulnerabilities" {
  description = "Number of vulnerabilities found in the image."
  value       = local.image.vul_count
}

output "scanned" {
  description = "Whether Security Center finished a scan of the image. When false, risk_status and the counts mean unknown, not safe."
  value       = local.image.sca_status == "SUCCESS" && local.image.last_scanned_at != null
}

output "last_scanned_at" {
  description = "Time of the last scan, RFC 3339 in UTC; null (so not shown) when the image was never scanned."
  value       = local.image.last_scanned_at
}
