# `terraform test` for the release gate, without any API: the provider is
# mocked and each run overrides the gate's verdict (Terraform >= 1.7,
# OpenTofu >= 1.8).
#
#   terraform test
#
# The overrides set passed and the summary: Terraform cannot override a
# list of nested objects such as violations (hashicorp/terraform#38369),
# so these runs check the decision, not the wording of the message.

mock_provider "sas" {}

variables {
  release = {
    "payments-api" = "1.4.3"
    "cart-api"     = "2.3.0"
    "search-api"   = "1.0.0"
  }
}

# The mock's made-up digests would fail the gate's validation.
override_data {
  target = data.sas_image_instance.release
  values = {
    digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }
}

run "blocks_a_release_with_violations" {
  command = plan

  override_data {
    target = data.sas_image_gate.release
    values = {
      passed  = false
      summary = { images = 3, violations = 2, not_scanned = 1, stale_scan = 0, vulnerability = 1, baseline = 0, sensitive_file = 0, malicious_file = 0, excepted = 0 }
    }
  }

  expect_failures = [terraform_data.deployment]
}

run "passes_a_release_without_violations" {
  command = plan

  override_data {
    target = data.sas_image_gate.release
    values = {
      passed  = true
      summary = { images = 3, violations = 0, not_scanned = 0, stale_scan = 0, vulnerability = 0, baseline = 0, sensitive_file = 0, malicious_file = 0, excepted = 1 }
    }
  }

  assert {
    condition     = length(data.sas_image_instance.release) == 3
    error_message = "Each image of the release should be looked up."
  }
}

run "blocks_with_exceptions_given" {
  command = plan

  variables {
    exceptions = [{
      kind    = "vulnerability"
      id      = "CVE-2023-44487"
      scope   = ["payments-api"]
      expires = "2027-01-31"
      reason  = "HTTP/2 not exposed; SEC-142"
    }]
    at = "2027-02-01T00:00:00Z"
  }

  override_data {
    target = data.sas_image_gate.release
    values = {
      passed  = false
      summary = { images = 3, violations = 1, not_scanned = 0, stale_scan = 0, vulnerability = 1, baseline = 0, sensitive_file = 0, malicious_file = 0, excepted = 0 }
    }
  }

  expect_failures = [terraform_data.deployment]
}
