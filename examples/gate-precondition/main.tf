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

data "sas_image_instances" "release" {
  criteria = concat(
    [
      { name = "repoName", value = var.repository },
      { name = "tag", value = var.release_tag },
    ],
    var.namespace == null ? [] : [{ name = "repoNamespace", value = var.namespace }],
  )

  lifecycle {
    # The lookup must name one image: the deployment pins its digest.
    postcondition {
      condition     = length(self.images) == 1
      error_message = "Expected exactly one image ${var.repository}:${var.release_tag} in Security Center, found ${length(self.images)}. Check repository and release_tag, or set namespace."
    }
  }
}

locals {
  image      = data.sas_image_instances.release.images[0]
  image_name = "${local.image.repo_name}:${local.image.tag}"

  # Deploy by digest, so the image that runs is the image that was checked
  # even if the tag is pushed again. The repository path comes from the first
  # address Security Center reports (registry/namespace/repository:tag), or
  # is namespace/repository when it reports none.
  repository_path = try(trimsuffix(local.image.endpoints[0], ":${local.image.tag}"), "${local.image.repo_namespace}/${local.image.repo_name}")
  digest          = startswith(local.image.digest, "sha256:") ? local.image.digest : "sha256:${local.image.digest}"
  pinned_image    = "${local.repository_path}@${local.digest}"
}

resource "terraform_data" "deployment" {
  input = local.pinned_image

  lifecycle {
    # Fail closed: without a finished scan the counts are zero and
    # risk_status is NO, which means unknown, not safe.
    precondition {
      condition     = local.image.sca_status == "SUCCESS" && local.image.last_scanned_at != null
      error_message = "Not deploying ${local.image_name}: Security Center has not scanned it yet (scan status ${coalesce(local.image.sca_status, "unknown")}), so its risk is unknown."
    }

    precondition {
      condition     = local.image.risk_status == "NO"
      error_message = "Not deploying ${local.image_name}: Security Center reports risk (${coalesce(local.image.vul_count, 0)} vulnerabilities, ${coalesce(local.image.hc_count, 0)} baseline risks, ${coalesce(local.image.alarm_count, 0)} alerts)."
    }
  }
}

output "deployed_image" {
  description = "The digest-pinned image reference that was deployed."
  value       = terraform_data.deployment.output
}
