# The image to deploy, then the vulnerabilities still in it.
data "sas_image_instances" "release" {
  criteria = [
    { name = "repoName", value = "payments-api" },
    { name = "tag", value = "1.4.2" },
  ]
}

data "sas_image_vulnerabilities" "release" {
  image_uuids = data.sas_image_instances.release.ids
  statuses    = ["unfixed", "fixing"]
}

output "urgent_fixable" {
  description = "Urgent (asap) vulnerabilities that have a fix."
  value       = data.sas_image_vulnerabilities.release.summary.asap_fixable
}

output "fix_commands" {
  description = "The command that fixes each of them."
  value = distinct(flatten([
    for v in data.sas_image_vulnerabilities.release.vulnerabilities :
    [for p in v.packages : p.update_cmd if p.update_cmd != ""]
    if v.necessity == "asap" && v.can_fix == true
  ]))
}
