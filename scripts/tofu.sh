#!/usr/bin/env bash
# Prints the absolute path of an OpenTofu CLI on stdout (and nothing else on
# stdout). Progress and diagnostics go to stderr.
#
# Resolution order:
#   1. $TOFU_PATH, if it is set and names an executable file.
#   2. OpenTofu v$BUILD_VERSION built from source into a cache outside the
#      clone:
#        ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-sas/tofu-$BUILD_VERSION/tofu
#      An existing build there is reused.
#
# The source comes from the Go module proxy (`go mod download`). OpenTofu's
# go.mod has a replace directive, so `go install module@version` refuses it;
# instead the module is copied to a writable scratch directory and built there
# with `go build`. Only Go and the Go module proxy are needed.
set -euo pipefail

readonly BUILD_VERSION="1.10.6"
readonly MODULE="github.com/opentofu/opentofu"

log() { printf 'tofu.sh: %s\n' "$*" >&2; }

abs_path() {
	local dir base
	dir="$(cd "$(dirname -- "$1")" && pwd -P)"
	base="$(basename -- "$1")"
	printf '%s/%s\n' "$dir" "$base"
}

# tofu_version BIN: prints e.g. "1.10.6", or nothing. Only stdout is parsed;
# the CLI may print configuration warnings on stderr.
tofu_version() {
	local line
	while IFS= read -r line; do
		if [[ "$line" =~ ^OpenTofu\ v([0-9]+\.[0-9]+\.[0-9]+[^[:space:]]*) ]]; then
			printf '%s\n' "${BASH_REMATCH[1]}"
			return 0
		fi
	done < <(CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null || true)
}

# 1. Explicit override.
if [[ -n "${TOFU_PATH:-}" ]]; then
	if [[ -f "$TOFU_PATH" && -x "$TOFU_PATH" ]]; then
		abs_path "$TOFU_PATH"
		exit 0
	fi
	log "TOFU_PATH=$TOFU_PATH is not an executable file; ignoring it"
fi

# 2. Build from source into a cache outside the clone.
cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/terraform-provider-sas"
bin_dir="$cache_root/tofu-$BUILD_VERSION"
bin="$bin_dir/tofu"

if [[ -x "$bin" ]] && [[ "$(tofu_version "$bin")" == "$BUILD_VERSION" ]]; then
	printf '%s\n' "$bin"
	exit 0
fi

if ! command -v go >/dev/null 2>&1; then
	log "no OpenTofu build found and 'go' is not on PATH to build one"
	exit 1
fi

mkdir -p "$bin_dir"
scratch="$(mktemp -d "$cache_root/.tofu-build.XXXXXX")"
trap 'chmod -R u+w "$scratch" 2>/dev/null || true; rm -rf "$scratch"' EXIT

start=$SECONDS
log "downloading $MODULE@v$BUILD_VERSION through the Go module proxy"
# Run outside any module (and workspace) so the provider's go.mod is untouched.
mod_json="$(cd "$scratch" && GOWORK=off GOFLAGS= go mod download -json "$MODULE@v$BUILD_VERSION")"
src="$(printf '%s\n' "$mod_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)"
if [[ -z "$src" || ! -d "$src" ]]; then
	log "could not find the downloaded source directory in: $mod_json"
	exit 1
fi

# The module cache is read-only; copy it somewhere writable to build.
cp -R "$src" "$scratch/src"
chmod -R u+w "$scratch/src"

log "building OpenTofu v$BUILD_VERSION into $bin_dir (this takes several minutes)"
(
	cd "$scratch/src"
	GOWORK=off CGO_ENABLED=0 go build -buildvcs=false -trimpath \
		-ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" \
		-o "$scratch/tofu" ./cmd/tofu
) >&2
mv -f "$scratch/tofu" "$bin"
log "built $bin in $((SECONDS - start))s"

if [[ "$(tofu_version "$bin")" != "$BUILD_VERSION" ]]; then
	log "built binary $bin does not report version $BUILD_VERSION"
	exit 1
fi
printf '%s\n' "$bin"
