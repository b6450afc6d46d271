# Gate a release of several images on one typed policy: vulnerabilities,
# baseline checks, secrets, malware and scan age, with accepted risks that
# expire. One precondition on the deployment reads the verdict; its message
# lists the first ten violations with what to do about each.
#
#   terraform apply -var-file=release.tfvars
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

variable "release" {
  description = "The images of the release: repository name to tag."
  type        = map(string)
}

variable "exceptions" {
  description = "Accepted risks, each with an expiry (at most a year away) and a reason."
  type = list(object({
    kind    = string
    id      = string
    scope   = optional(list(string))
    expires = string
    reason  = string
  }))
  default = []
}

variable "at" {
  description = "Evaluate the policy at this RFC 3339 time instead of now (to see which exceptions will have expired)."
  type        = string
  default     = null
}

# Exactly one image per repository and tag, pinned by digest.
data "sas_image_instance" "release" {
  for_each = var.release

  repo_name = each.key
  tag       = each.value
}

data "sas_image_gate" "release" {
  digests = [for name in sort(keys(var.release)) : data.sas_image_instance.release[name].digest]

  max_scan_age = "168h"

  vulnerabilities = {
    necessities = ["asap"] # urgent ones, with a fix
  }
  baselines       = { levels = ["high"] }
  sensitive_files = { risk_levels = ["high", "medium"] }
  malicious_files = { levels = ["serious", "suspicious"] }

  exceptions = var.exceptions
  at         = var.at
}

locals {
  gate = data.sas_image_gate.release
  first_violations = [
    for v in slice(local.gate.violations, 0, min(10, length(local.gate.violations))) :
    "- ${v.kind} in ${v.image_reference}: ${v.id}${v.fix == null ? "" : " (fix: ${v.fix})"}"
  ]
}

resource "terraform_data" "deployment" {
  input = [for image in local.gate.images : image.image_reference]

  lifecycle {
    precondition {
      condition     = local.gate.passed
      error_message = "Release blocked: ${local.gate.summary.violations} violation(s) in ${local.gate.summary.images} image(s):\n${join("\n", local.first_violations)}"
    }
  }
}

output "deployed_images" {
  description = "The digest-pinned references of the release, deployed."
  value       = terraform_data.deployment.output
}

output "accepted_risks" {
  description = "The findings the exceptions let through, with why."
  value       = [for e in local.gate.excepted : "${e.kind} ${e.id} in ${e.image_reference}: ${e.reason} (until ${e.expires})"]
}

output "unused_exceptions" {
  description = "Exceptions that matched nothing: delete them."
  value       = [for e in local.gate.unused_exceptions : "${e.kind} ${e.id}"]
}
