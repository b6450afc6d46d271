# One image, by repository and tag (criteria combine with AND).
data "sas_image_instances" "release" {
  criteria = [
    { name = "repoName", value = "payments-api" },
    { name = "tag", value = "1.4.3" },
  ]

  # Gate on it: fail the plan when the image is risky, or was never scanned
  # (a never-scanned image reports risk_status NO: unknown, not safe).
  lifecycle {
    postcondition {
      condition     = self.total_count > 0 && self.summary.not_scanned == 0 && self.summary.risky == 0
      error_message = "payments-api:1.4.3 is unknown to Security Center, not scanned yet, or risky."
    }
  }
}

# Risk counts over a whole namespace, without keeping every image in the
# state.
data "sas_image_instances" "prod" {
  criteria     = [{ name = "repoNamespace", value = "prod" }]
  summary_only = true
}

# The first 50 scanned images with known vulnerabilities.
data "sas_image_instances" "vulnerable" {
  criteria    = [{ name = "vulStatus", value = "YES" }]
  scanned     = true
  max_results = 50
}

output "release_digest" {
  value = data.sas_image_instances.release.images[0].digest
}

output "prod_risky_images" {
  value = data.sas_image_instances.prod.summary.risky
}

output "vulnerable_images" {
  value = [for i in data.sas_image_instances.vulnerable.images : "${i.repo_namespace}/${i.repo_name}:${i.tag} (${i.vul_count})"]
}
