# Scan a freshly pushed image, then gate its deployment on the result, in
# one apply:
#
#   terraform apply -var repository=checkout-web -var image_digest=sha256:<digest>
#
# sas_image_scan starts a Security Center scan of the image and waits for it
# to finish. The lookup depends on the scan, so Terraform reads it after the
# scan, during apply; the deployment's preconditions then judge the fresh
# result. A scan that fails stops the apply before anything is deployed.
# terraform_data stands in for your real deployment resource.

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
  description = "Repository name of the image to deploy, such as checkout-web."
  type        = string
}

variable "namespace" {
  description = "Registry namespace of the repository; null leaves it out of the scan scope and the lookup."
  type        = string
  default     = null
}

variable "image_digest" {
  description = "Digest of the pushed image, sha256:<64 hex digits>, as the registry or the build reports it."
  type        = string
}

locals {
  # Security Center reports digests without the algorithm prefix.
  bare_digest = trimprefix(lower(var.image_digest), "sha256:")
}

# Each scan uses the account's paid container image scan quota; a new
# digest, or any other change of the arguments, scans again.
resource "sas_image_scan" "release" {
  digest         = var.image_digest
  repo_name      = var.repository
  repo_namespace = var.namespace
}

data "sas_image_instances" "release" {
  criteria = concat(
    [
      { name = "digest", value = local.bare_digest },
      { name = "repoName", value = var.repository },
    ],
    var.namespace == null ? [] : [{ name = "repoNamespace", value = var.namespace }],
  )

  # Without depends_on Terraform reads the lookup during plan, before the
  # scan has run: the gate would judge the image's old results, or find it
  # never scanned.
  depends_on = [sas_image_scan.release]

  lifecycle {
    postcondition {
      condition     = length(self.images) == 1
      error_message = "Expected exactly one image ${var.repository}@${var.image_digest} in Security Center, found ${length(self.images)}."
    }
  }
}

locals {
  image      = data.sas_image_instances.release.images[0]
  image_name = "${local.image.repo_name}:${local.image.tag}"

  # Deploy by digest: what runs is exactly what was scanned.
  repository_path = try(trimsuffix(local.image.endpoints[0], ":${local.image.tag}"), "${local.image.repo_namespace}/${local.image.repo_name}")
  pinned_image    = "${local.repository_path}@sha256:${local.bare_digest}"

  scanned = local.image.sca_status == "SUCCESS" && local.image.last_scanned_at != null
  # The results are those of this scan or a later one. (Security Center may
  # publish them a few minutes after the scan finished.)
  fresh = local.scanned && sas_image_scan.release.started_at != null ? timecmp(local.image.last_scanned_at, sas_image_scan.release.started_at) >= 0 : local.scanned
}

resource "terraform_data" "deployment" {
  input = local.pinned_image

  lifecycle {
    # Fail closed: without a finished scan the counts are zero and
    # risk_status is NO, which means unknown, not safe.
    precondition {
      condition     = local.scanned
      error_message = "Not deploying ${local.image_name}: Security Center has not scanned it (scan status ${coalesce(local.image.sca_status, "unknown")}), so its risk is unknown."
    }

    precondition {
      condition     = local.fresh
      error_message = "Not deploying ${local.image_name}: Security Center has not published the results of scan ${sas_image_scan.release.task_id} yet (last scan ${coalesce(local.image.last_scanned_at, "never")}). Apply again in a few minutes."
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

output "scan_task_id" {
  description = "The Security Center scan task whose results the gate judged."
  value       = sas_image_scan.release.task_id
}
