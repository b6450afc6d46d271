# Every criterion sas_image_instances accepts.
data "sas_image_criteria" "all" {}

# Only the criteria whose values match a keyword, such as a repository name.
data "sas_image_criteria" "payments" {
  value = "payments"
}

locals {
  # Allowed values of each select criterion, such as vulStatus = ["NO", "YES"].
  select_values = {
    for c in data.sas_image_criteria.all.criteria : c.name => c.values if c.type == "select"
  }
}

output "criteria_names" {
  value = [for c in data.sas_image_criteria.all.criteria : c.name]
}

output "registry_types" {
  value = local.select_values["registryType"]
}

output "criteria_matching_payments" {
  value = [for c in data.sas_image_criteria.payments.criteria : c.name]
}
