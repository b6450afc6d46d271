variable "image_digest" {
  description = "Digest of the image to scan, sha256:<64 hex digits>, as the registry or the build reports it."
  type        = string
}

# Scan the image and wait for the result. Each scan uses the account's paid
# container image scan quota.
resource "sas_image_scan" "release" {
  digest = var.image_digest

  # Optional scope, sent to Security Center with the digest.
  repo_namespace = "prod"
  repo_name      = "checkout-web"

  # Any change scans again: here, once per release date.
  triggers = {
    release = "2026-03-01"
  }

  timeouts {
    create = "30m"
  }
}

output "scan_status" {
  value = sas_image_scan.release.status
}

output "scan_finished_at" {
  value = sas_image_scan.release.finished_at
}
