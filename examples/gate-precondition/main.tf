# Gate the deployment itself: a precondition on the resource that deploys the
# image blocks its creation or update when the image is risky or unscanned.
#
#   terraform apply -var repository=payments-api -var release_tag=1.4.3
#
# terraform_data stands in for your real deployment resource (a Kubernetes
# deployment, an ECI container group, a SAE application, ...): copy the
# lifecycle block there. Unlike a postcondition on the lookup, the gate sits
# on the change it protects: the plan fails for this deployment, and a
# deployment that already runs a clean image keeps running it.

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

# Exactly one image: the read fails when Security Center knows none, or
# several (the same repository name in several namespaces: set namespace).
data "sas_image_instance" "release" {
  repo_name      = var.repository
  tag            = var.release_tag
  repo_namespace = var.namespace
}

locals {
  image      = data.sas_image_instance.release
  image_name = "${local.image.repo_name}:${local.image.tag}"
}

resource "terraform_data" "deployment" {
  # Deploy by digest (registry/namespace/repository@sha256:...), so the image
  # that runs is the image that was checked even if the tag is pushed again.
  input = local.image.image_reference

  lifecycle {
    # Fail closed: without a finished scan the counts are zero and
    # risk_status is NO, which means unknown, not safe.
    precondition {
      condition     = local.image.scanned
      error_message = "Not deploying ${local.image_name}: Security Center has not scanned it yet (scan status ${coalesce(local.image.sca_status, "unknown")}), so its risk is unknown."
    }

    # risky is null when the risk is unknown, and null == false is false.
    precondition {
      condition     = local.image.risky == false
      error_message = local.image.risky == true ? "Not deploying ${local.image_name}: Security Center reports risk (${coalesce(local.image.vul_count, 0)} vulnerabilities, ${coalesce(local.image.hc_count, 0)} baseline risks, ${coalesce(local.image.alarm_count, 0)} alerts)." : "Not deploying ${local.image_name}: its risk is unknown."
    }
  }
}

output "deployed_image" {
  description = "The digest-pinned image reference that was deployed."
  value       = terraform_data.deployment.output
}
