#!/usr/bin/env bash
# make demo: build the provider, start the fake SAS API on a free loopback
# port with a realistic dataset, and run examples/demo with real Terraform
# through a temporary CLI configuration (dev_overrides). Nothing touches the
# user's own Terraform configuration; the fake is stopped on exit, success or
# failure.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

work="$(mktemp -d "${TMPDIR:-/tmp}/sas-demo.XXXXXX")"
fake_pid=""
cleanup() {
  if [[ -n "$fake_pid" ]] && kill -0 "$fake_pid" 2>/dev/null; then
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

terraform_bin="$(scripts/terraform.sh)"
say "Using $("$terraform_bin" version 2>/dev/null | head -n1) ($terraform_bin)"

say "Building the provider and the fake SAS API"
go build -o "$work/plugins/terraform-provider-sas" .
go build -o "$work/fakesas" ./internal/fakesas/cmd/fakesas

say "Starting the fake SAS API (demo dataset plus 460 generated images)"
"$work/fakesas" -dataset demo -images 460 -seed 42 -ready-file "$work/endpoint" >"$work/fakesas.log" 2>&1 &
fake_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/endpoint" ]] && break
  kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fakesas.log" >&2; exit 1; }
  sleep 0.1
done
[[ -s "$work/endpoint" ]] || { echo "the fake SAS API did not start" >&2; cat "$work/fakesas.log" >&2; exit 1; }
endpoint="$(cat "$work/endpoint")"
echo "fake SAS API at $endpoint"

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "terraform-sas/sas" = "$work/plugins"
  }
  direct {}
}
RC
cp -R examples/demo/. "$work/config/" 2>/dev/null || { mkdir -p "$work/config" && cp -R examples/demo/. "$work/config/"; }

export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1
export ALIBABA_CLOUD_ENDPOINT_SAS="$endpoint"
export ALIBABA_CLOUD_ACCESS_KEY_ID="LTAI-fake-access-key"
export ALIBABA_CLOUD_ACCESS_KEY_SECRET="fake-secret-key-do-not-use"
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
tf() { "$terraform_bin" -chdir="$work/config" "$@"; }

# list_output NAME prints a list-of-strings output one element per line,
# indented, or "(none)".
list_output() {
  tf output -json "$1" | sed -e 's/^\[//' -e 's/\]$//' -e 's/","/"\n"/g' | sed -e 's/^ *"/    /' -e 's/"$//' | grep -v '^\s*$' || echo "    (none)"
}
# count_of NAME KEY prints one count of a map output.
count_of() { tf output -json "$1" | sed -E "s/.*\"$2\":([0-9]+).*/\1/"; }
# diagnostic LOG PATTERN prints the diagnostics (the Error: or Warning:
# blocks Terraform printed) of LOG that contain PATTERN, in log order.
diagnostic() {
  awk -v want="$2" '
    /^(Error|Warning): / { if (index(block, want)) printf "%s", block; block = "" }
    /^(Apply complete|Outputs:)/ { if (index(block, want)) printf "%s", block; block = ""; skip = 1 }
    !skip { block = block $0 "\n" }
    /^(Error|Warning): / { skip = 0 }
    END { if (index(block, want)) printf "%s", block }' "$1"
}

say "terraform apply -var release_tag=1.4.3   (a clean, recently scanned release)"
tf apply -auto-approve -input=false -no-color -var release_tag=1.4.3 >"$work/apply.log" 2>&1 || { cat "$work/apply.log"; exit 1; }
images="$(tf output -raw images)"
risky="$(tf output -raw risky)"
not_scanned="$(tf output -raw not_scanned)"
deployed_risky="$(tf output -raw deployed_risky)"
printf '  %-28s %s\n' "images:" "$images" "risky:" "$risky" "never scanned (unknown):" "$not_scanned" "deployed and risky:" "$deployed_risky"
echo "  riskiest images:"
tf output -json riskiest | sed -e 's/^\[//' -e 's/\]$//' | tr ',' '\n' | sed -e 's/^ *"/    /' -e 's/"$//' | grep -v '^\s*$'
echo "  release vulnerabilities by priority (unfixed):"
tf output -json release_vulnerabilities_by_priority | tr -d '{}"' | tr ',' '\n' | sed -e 's/:/: /' -e 's/^/    /'
echo "  most urgent, with the fix:"
tf output -json release_most_urgent | sed -e 's/^\[//' -e 's/\]$//' | sed -e 's/","/"\n"/g' | sed -e 's/^ *"/    /' -e 's/"$//' | grep -v '^\s*$' || echo "    (none)"
echo "  release secrets (sas_image_sensitive_files): $(count_of release_secret_counts types) type(s); unprocessed: high $(count_of release_secret_counts high), medium $(count_of release_secret_counts medium), low $(count_of release_secret_counts low)"
list_output release_secrets
echo "  release malicious files (sas_image_malicious_files): $(count_of release_malware_counts files) file(s), $(count_of release_malware_counts unhandled) unhandled"
echo "  gate: $(tf output -raw release) passed"

say "terraform plan -var release_tag=1.4.2   (a release with known vulnerabilities)"
if tf plan -input=false -no-color -var release_tag=1.4.2 >"$work/plan.log" 2>&1; then
  echo "the gate let a vulnerable release through" >&2
  cat "$work/plan.log" >&2
  exit 1
fi
for blocked in "payments-api:1.4.2 has .* urgent vulnerabilities with a fix" "Release blocked: "; do
  grep -q "$blocked" "$work/plan.log" || { echo "the plan failed for another reason:" >&2; cat "$work/plan.log" >&2; exit 1; }
done
diagnostic "$work/plan.log" 'in output "release":' | sed "s/^/  /"
echo "  sas_image_gate, the whole release under one policy, blocks it too:"
diagnostic "$work/plan.log" 'in output "release_gate":' | awk '/^Release blocked: /{p=1} p' | sed "s/^/  /"
echo "  gate: blocked, as it should be"

say "sas_image_gate: the release (payments-api:1.4.3, auth-service:3.1.0) under one policy, with accepted risks"
echo "  from the first apply; Terraform printed the gate's warnings:"
diagnostic "$work/apply.log" 'data "sas_image_gate"' | grep -v -e '^  with ' -e '^  on ' -e '^ *[0-9]*: ' -e '^\s*$' | sed "s/^/    /" || echo "    (none)"
echo "  images:"
list_output release_gate_images
echo "  accepted risks (excepted):"
list_output release_gate_accepted
echo "  unused exceptions (delete them):"
list_output release_gate_unused
echo "  verdict: $(tf output -raw release_gate)"

say "Demo complete; the fake SAS API is stopped"
