# The image to deploy, pinned by digest.
data "sas_image_instance" "release" {
  repo_name = "payments-api"
  tag       = "1.4.2"
}

# The secrets Security Center found baked into it, by type. No entries is
# not proof of a clean image: pair it with the image's scanned.
data "sas_image_sensitive_files" "release" {
  image_uuid  = data.sas_image_instance.release.uuid
  risk_levels = ["high", "medium"]
}

output "scanned" {
  value = data.sas_image_instance.release.scanned
}

# The unprocessed high and medium secret types, by key. A count the service
# did not send is null: then the type counts unless its status is handled.
output "unprocessed_secret_types" {
  value = [
    for t in data.sas_image_sensitive_files.release.sensitive_files : t.key
    if try(t.unprocessed_count > 0, t.status != "handled")
  ]
}

# The same image's secret files, for the types with findings. The files
# carry the service's masked excerpt of each secret, so Terraform marks
# them sensitive; nonsensitive() here releases only their paths.
data "sas_image_sensitive_files" "files" {
  image_uuid = data.sas_image_instance.release.uuid
  with_files = true
}

output "secret_file_paths" {
  value = nonsensitive(flatten([
    for t in data.sas_image_sensitive_files.files.sensitive_files : [for f in t.files : "${t.key}: ${f.path}"]
  ]))
}
