# `terraform test` for the gate, without any API: the provider is mocked and
# each run overrides what the two lookups return (Terraform >= 1.7,
# OpenTofu >= 1.8).
#
#   terraform test
#
# The overrides set the summaries and ids only: Terraform cannot override a
# list of nested objects such as vulnerabilities (hashicorp/terraform#38369),
# so these runs check the decisions, not the wording of the messages.

mock_provider "sas" {}

variables {
  repository  = "payments-api"
  release_tag = "1.4.2"
}

override_data {
  target = data.sas_image_instances.release
  values = {
    ids     = ["5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e01"]
    summary = { images = 1, not_scanned = 0 }
  }
}

run "blocks_an_urgent_vulnerability_with_a_fix" {
  command = plan

  override_data {
    target = data.sas_image_vulnerabilities.release
    values = {
      summary = { asap = 2, later = 4, nntf = 1, asap_fixable = 1 }
    }
  }

  expect_failures = [terraform_data.deployment]
}

run "passes_vulnerabilities_without_a_fix_or_not_urgent" {
  command = plan

  override_data {
    target = data.sas_image_vulnerabilities.release
    values = {
      summary = { asap = 2, later = 4, nntf = 1, asap_fixable = 0 }
    }
  }

  assert {
    condition     = terraform_data.deployment.input == "payments-api:1.4.2"
    error_message = "The gate should let the image through."
  }

  assert {
    condition     = output.vulnerabilities_by_priority == { asap = 2, later = 4, nntf = 1 }
    error_message = "The priorities should be reported."
  }
}

run "blocks_an_image_never_scanned" {
  command = plan

  override_data {
    target = data.sas_image_instances.release
    values = {
      ids     = ["5b8f2c1e-7a43-4d0b-9e61-2f4a8c3d1e03"]
      summary = { images = 1, not_scanned = 1 }
    }
  }

  override_data {
    target = data.sas_image_vulnerabilities.release
    values = {
      summary = { asap = 0, later = 0, nntf = 0, asap_fixable = 0 }
    }
  }

  expect_failures = [terraform_data.deployment]
}

run "blocks_an_image_not_found" {
  command = plan

  override_data {
    target = data.sas_image_instances.release
    values = {
      ids     = []
      summary = { images = 0, not_scanned = 0 }
    }
  }

  expect_failures = [data.sas_image_instances.release]
}
