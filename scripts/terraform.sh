#!/usr/bin/env bash
# Prints the absolute path of a usable Terraform CLI on stdout (and nothing
# else on stdout). Progress and diagnostics go to stderr.
#
# Resolution order:
#   1. $TF_ACC_TERRAFORM_PATH, if it is set and names an executable file.
#   2. `terraform` on PATH, if its version is >= MIN_VERSION.
#   3. Terraform v$BUILD_VERSION built from source with `go install` into a
#      cache outside the clone:
#        ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-sas/terraform-$BUILD_VERSION/terraform
#      An existing build there is reused.
#
# With --oldest, steps 1 and 2 are skipped: the oldest supported version,
# built from source, for the compatibility run of the acceptance tests.
#
# Only Go and the Go module proxy are needed for step 3.
set -euo pipefail

oldest=false
if [[ "${1:-}" == "--oldest" ]]; then
	oldest=true
fi

readonly MIN_VERSION="1.5.0"
readonly BUILD_VERSION="1.5.7"

log() { printf 'terraform.sh: %s\n' "$*" >&2; }

# version_ge A B: true when dotted version A >= B (numeric parts only).
version_ge() {
	local IFS=.
	local -a a b
	read -r -a a <<<"${1%%[-+]*}"
	read -r -a b <<<"${2%%[-+]*}"
	local i x y
	for i in 0 1 2; do
		x="${a[i]:-0}"
		y="${b[i]:-0}"
		[[ "$x" =~ ^[0-9]+$ ]] || x=0
		[[ "$y" =~ ^[0-9]+$ ]] || y=0
		if ((10#$x > 10#$y)); then return 0; fi
		if ((10#$x < 10#$y)); then return 1; fi
	done
	return 0
}

# abs_path PATH: absolute form of PATH (which must exist).
abs_path() {
	local dir base
	dir="$(cd "$(dirname -- "$1")" && pwd -P)"
	base="$(basename -- "$1")"
	printf '%s/%s\n' "$dir" "$base"
}

# terraform_version BIN: prints e.g. "1.11.4", or nothing. The CLI may print
# warnings (such as "There are some problems with the CLI configuration") on
# stderr, so only stdout is parsed.
terraform_version() {
	local line
	while IFS= read -r line; do
		if [[ "$line" =~ ^Terraform\ v([0-9]+\.[0-9]+\.[0-9]+) ]]; then
			printf '%s\n' "${BASH_REMATCH[1]}"
			return 0
		fi
	done < <(CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null || true)
}

# 1. Explicit override.
if ! $oldest && [[ -n "${TF_ACC_TERRAFORM_PATH:-}" ]]; then
	if [[ -f "$TF_ACC_TERRAFORM_PATH" && -x "$TF_ACC_TERRAFORM_PATH" ]]; then
		abs_path "$TF_ACC_TERRAFORM_PATH"
		exit 0
	fi
	log "TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH is not an executable file; ignoring it"
fi

# 2. terraform on PATH.
if ! $oldest && on_path="$(command -v terraform 2>/dev/null)" && [[ -n "$on_path" ]]; then
	found="$(terraform_version "$on_path")"
	if [[ -n "$found" ]] && version_ge "$found" "$MIN_VERSION"; then
		abs_path "$on_path"
		exit 0
	fi
	log "terraform on PATH ($on_path, version '${found:-unknown}') is older than $MIN_VERSION or unusable"
fi

# 3. Build from source into a cache outside the clone.
cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/terraform-provider-sas"
bin_dir="$cache_root/terraform-$BUILD_VERSION"
bin="$bin_dir/terraform"

if [[ -x "$bin" ]] && [[ "$(terraform_version "$bin")" == "$BUILD_VERSION" ]]; then
	printf '%s\n' "$bin"
	exit 0
fi

if ! command -v go >/dev/null 2>&1; then
	log "no usable terraform found and 'go' is not on PATH to build one"
	exit 1
fi

mkdir -p "$bin_dir"
log "building Terraform v$BUILD_VERSION into $bin_dir (this takes a few minutes)"
start=$SECONDS
# Build in a scratch directory so that the provider's own go.mod (and any
# go.work) does not take part, and install into a temporary GOBIN first so a
# half-written binary is never picked up by a later run.
tmp_bin="$(mktemp -d "$cache_root/.terraform-build.XXXXXX")"
trap 'rm -rf "$tmp_bin"' EXIT
(
	cd "$tmp_bin"
	GOBIN="$tmp_bin" GOWORK=off CGO_ENABLED=0 \
		go install "github.com/hashicorp/terraform@v$BUILD_VERSION"
) >&2
mv -f "$tmp_bin/terraform" "$bin"
log "built $bin in $((SECONDS - start))s"

if [[ "$(terraform_version "$bin")" != "$BUILD_VERSION" ]]; then
	log "built binary $bin does not report version $BUILD_VERSION"
	exit 1
fi
printf '%s\n' "$bin"
