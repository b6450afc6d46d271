# The scanned images of namespace prod that have baseline risks.
data "sas_image_instances" "prod" {
  criteria = [
    { name = "repoNamespace", value = "prod" },
    { name = "hcStatus", value = "YES" },
  ]
  scanned = true
}

# Their high-level baselines, one data source per image.
data "sas_image_baselines" "prod" {
  count = length(data.sas_image_instances.prod.images)

  image_uuid  = data.sas_image_instances.prod.images[count.index].uuid
  risk_levels = ["high"]
}

# The images with unfixed high-level baselines, and those baselines' names.
output "unfixed_high_level_baselines" {
  value = {
    for k, result in data.sas_image_baselines.prod :
    "${data.sas_image_instances.prod.images[k].repo_name}:${data.sas_image_instances.prod.images[k].tag}" => [
      for b in result.baselines : b.name if b.status == "unfixed"
    ]
    if result.summary.unfixed > 0
  }
}

# Every baseline of the first of them, down to the check item: the items
# still open and not whitelisted.
data "sas_image_baselines" "first" {
  image_uuid = data.sas_image_instances.prod.ids[0]
  with_items = true
}

output "open_check_items" {
  value = flatten([
    for b in data.sas_image_baselines.first.baselines : [
      for item in b.items : "${b.name}: ${item.name} (${item.status})"
      if item.status != "fixed" && !item.whitelisted
    ]
  ])
}
