# Soft gate: a check block reports a risky or unscanned image as a warning.
# Check blocks never block: plan and apply succeed, and the deployment below
# goes ahead whatever the image's risk.
#
#   terraform apply -var repository=payments-api -var release_tag=1.4.2
#   ...
#   Warning: Check block assertion failed
#   Image payments-api:1.4.2 is risky: 7 vulnerabilities ...
#
# Use it to roll a policy out (warn first, enforce later with a postcondition
# or precondition), for emergency deployments, or for continuous audits: the
# check runs on every plan and apply, also when nothing else changes, so
# `terraform plan` in a schedule reports images that became risky after they
# were deployed.

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

locals {
  image_name = "${var.repository}:${var.release_tag}"
}

data "sas_image_instances" "release" {
  criteria = concat(
    [
      { name = "repoName", value = var.repository },
      { name = "tag", value = var.release_tag },
    ],
    var.namespace == null ? [] : [{ name = "repoNamespace", value = var.namespace }],
  )
}

# Every failed assert is reported as a warning with its message; none stops
# the run. The lookup above is an ordinary data source, so an error reading
# it (Security Center unreachable, no permission) still fails the plan. To
# make that a warning as well, move the data block inside the check block:
# a data source scoped to a check is re-read on every plan and shown as a
# read in the plan output, and its errors are only warnings.
check "release_image_risk" {
  assert {
    condition     = data.sas_image_instances.release.total_count > 0
    error_message = "Image ${local.image_name} is not known to Security Center, so its risk was never checked."
  }

  assert {
    condition     = data.sas_image_instances.release.summary.not_scanned == 0
    error_message = "Image ${local.image_name} has not been scanned by Security Center yet, so its risk is unknown."
  }

  assert {
    condition     = data.sas_image_instances.release.summary.risky == 0
    error_message = "Image ${local.image_name} is risky: ${data.sas_image_instances.release.summary.vulnerabilities} vulnerabilities. Deploying it anyway; fix it and release a new tag."
  }
}

# Stands in for your deployment: it is created or updated even when the check
# fails.
resource "terraform_data" "deployment" {
  input = local.image_name
}

output "deployed_image" {
  description = "The image that was deployed, checked or not."
  value       = terraform_data.deployment.output
}
