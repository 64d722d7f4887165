#!/usr/bin/env bash
# Installs what the real-component tests need (when missing) and runs every suite.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v virsh >/dev/null 2>&1 || missing+=(libvirt-clients)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
command -v fish >/dev/null 2>&1 || missing+=(fish)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v man >/dev/null 2>&1 || missing+=(man-db)
[ -e /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --all-targets
