# The image to deploy, pinned by digest.
data "sas_image_instance" "release" {
  repo_name = "payments-api"
  tag       = "1.4.2"
}

# Its malicious files: the service selects images by digest, and image_uuid
# keeps the files of this image record only (a digest can be held by
# several repositories).
data "sas_image_malicious_files" "release" {
  digest     = data.sas_image_instance.release.digest
  image_uuid = data.sas_image_instance.release.uuid
}

# Serious or suspicious files still to be dealt with: neither handled nor
# whitelisted in Security Center (a status the service did not send is
# null, and counts as open).
output "open_malware" {
  value = [
    for f in data.sas_image_malicious_files.release.malicious_files : "${f.path} (${coalesce(f.name, f.md5)})"
    if contains(["serious", "suspicious"], f.level) && !contains(["handled", "whitelisted"], coalesce(f.status, "unknown"))
  ]
}

output "summary" {
  value = data.sas_image_malicious_files.release.summary
}
