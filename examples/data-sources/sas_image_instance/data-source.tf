# The image to deploy, by repository and tag. The read fails when Security
# Center knows no such image, or several (narrow with repo_namespace).
data "sas_image_instance" "release" {
  repo_name      = "payments-api"
  tag            = "1.4.3"
  repo_namespace = "prod"
}

# By digest, with or without the sha256: prefix.
data "sas_image_instance" "by_digest" {
  digest = "sha256:${data.sas_image_instance.release.digest}"
}

# The most recently updated image of a tag that may have been pushed again.
data "sas_image_instance" "latest" {
  repo_name   = "payments-api"
  tag         = "1.4.3"
  most_recent = true
}

# Deploy by digest, so the image that runs is the image that was checked.
output "release_image" {
  value = data.sas_image_instance.release.image_reference
}

# risky is null while the image is not scanned: `== false` fails closed.
output "release_is_clean" {
  value = data.sas_image_instance.release.scanned && data.sas_image_instance.release.risky == false
}
