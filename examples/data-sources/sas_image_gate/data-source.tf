# The release's images, by repository and tag.
data "sas_image_instance" "api" {
  repo_name = "payments-api"
  tag       = "1.4.3"
}

# One policy over the release: urgent fixable vulnerabilities, secrets and
# malware block; an image never scanned, or scanned more than a week ago,
# blocks. One vulnerability is accepted until the end of January.
data "sas_image_gate" "release" {
  digests      = [data.sas_image_instance.api.digest]
  max_scan_age = "168h"

  vulnerabilities = {}
  sensitive_files = {}
  malicious_files = {}

  exceptions = [{
    kind    = "vulnerability"
    id      = "CVE-2023-44487"
    scope   = ["payments-api"]
    expires = "2027-01-31"
    reason  = "HTTP/2 not exposed; tracked in SEC-142"
  }]
}

output "passed" {
  value = data.sas_image_gate.release.passed
}

output "violations" {
  value = [for v in data.sas_image_gate.release.violations : "${v.kind} ${v.id}: ${coalesce(v.fix, v.detail)}"]
}
