# Block a deployment whose image has a secret baked in: any access key,
# private key, password or token Security Center found and nobody handled,
# of risk level high or medium. The error names the secret types and the
# files that hold them, never the secret itself. An image never scanned is
# blocked too: no secrets found means nothing when nothing was looked at.
#
#   terraform apply -var repository=payments-api -var release_tag=1.4.3
#
# terraform_data stands in for your deployment resource: copy the
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

data "sas_image_instance" "release" {
  repo_name = var.repository
  tag       = var.release_tag
}

# The secrets of the two levels that block, with their files. The files
# carry the service's masked excerpt of each secret: Terraform marks them
# sensitive, and the state holds them (leave with_files unset where it
# must not, and name the types only).
data "sas_image_sensitive_files" "release" {
  image_uuid  = data.sas_image_instance.release.uuid
  risk_levels = ["high", "medium"]
  with_files  = true
}

locals {
  image_name = "${var.repository}:${var.release_tag}"
  # The secret types still to be dealt with, each with the paths of its
  # files: nonsensitive() releases the paths, never the excerpts.
  blocking = [
    for t in data.sas_image_sensitive_files.release.sensitive_files :
    "${t.key} (${t.risk_level}) in ${join(", ", nonsensitive([for f in t.files : f.path]))}"
    if try(t.unprocessed_count > 0, t.status != "handled")
  ]
}

resource "terraform_data" "deployment" {
  input = data.sas_image_instance.release.image_reference

  lifecycle {
    precondition {
      condition     = data.sas_image_instance.release.scanned
      error_message = "Not deploying ${local.image_name}: Security Center has not scanned it, so whether it holds secrets is unknown."
    }

    precondition {
      condition     = data.sas_image_sensitive_files.release.summary.high + data.sas_image_sensitive_files.release.summary.medium == 0
      error_message = "Not deploying ${local.image_name}: secrets are baked into the image. Remove them from the image, rotate them, and rebuild: ${join("; ", local.blocking)}."
    }
  }
}

output "deployed_image" {
  description = "The digest-pinned image reference that was deployed."
  value       = terraform_data.deployment.output
}
