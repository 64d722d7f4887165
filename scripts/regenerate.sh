#!/usr/bin/env bash
# Rewrites the generated files — completions/ and man/ — with what the current
# virtsh prints; a test (tests/generated) fails while the committed copies differ.
set -euo pipefail
cd "$(dirname "$0")/.."

generate() {
  local file=$1
  shift
  cargo run --quiet -- __generate "$@" > "$file.tmp"
  mv "$file.tmp" "$file"
}

mkdir -p completions man
generate completions/virtsh.bash completions bash
generate completions/_virtsh completions zsh
generate completions/virtsh.fish completions fish
generate man/virtsh.1 man
