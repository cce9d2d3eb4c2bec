# Shared by scripts/demo and scripts/test: install what is missing, quietly
# when it is already there. Debian/Ubuntu only; see README for Windows/macOS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Tauri 2 build prerequisites on Debian 12 (libappindicator3-dev does not exist
# on bookworm: the ayatana one replaces it).
APT_BUILD=(build-essential pkg-config curl wget file libssl-dev libwebkit2gtk-4.1-dev
  libxdo-dev libayatana-appindicator3-dev librsvg2-dev)
# Headless tests: Xvfb, the WebKit WebDriver, Debian's Chromium, xmllint for
# XSD checks, openssl and xmlsec1 as independent implementations for the XAdES
# tests, the keyring stack for secret-service tests.
APT_TEST=(xvfb xauth webkit2gtk-driver chromium libxml2-utils dbus gnome-keyring
  libsecret-tools keyutils bubblewrap openssl xmlsec1 sqlite3)

step() {
  STEP_STARTED=$(date +%s)
  printf '\n==> %s\n' "$*"
}

step_done() {
  printf '    (%ss)\n' "$(($(date +%s) - STEP_STARTED))"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "apt: installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
    step_done
  fi
}

ensure_npm() {
  # npm ci is quick and exact; skip it when the lock file has not changed.
  if [ ! -f node_modules/.package-lock.json ] ||
    ! cmp -s package-lock.json node_modules/.package-lock.json.source 2>/dev/null; then
    step "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.package-lock.json.source
    step_done
  fi
}

ensure_cargo_tool() {
  local crate="$1" binary="$2"
  if [ ! -x ".ci-tools/bin/$binary" ]; then
    step "cargo install $crate"
    cargo install --locked --quiet --root .ci-tools "$crate"
    step_done
  fi
}

build_ui() {
  step "UI build (vite)"
  npm run --silent build
  step_done
}

# One feature set everywhere: the app embeds ui/dist instead of loading the
# Vite dev server, and tauri is compiled once.
CARGO_FEATURES=(--features ksef-desk/custom-protocol)

build_app() {
  step "cargo build (app)"
  cargo build --locked -p ksef-desk "${CARGO_FEATURES[@]}"
  step_done
}

# Runs "$@" with the repository alone in its parent directory, as in a fresh clone
# with nothing beside it: bubblewrap mounts an empty tmpfs over the parent and
# binds the repository back, so a test that reads a neighbour (a sibling folder)
# fails here as it would for anyone else, instead of passing on this machine.
# What the toolchain needs and happens to keep beside the repository stays
# visible: CARGO_TARGET_DIR, CARGO_HOME, RUSTUP_HOME, TMPDIR, XDG_DATA_HOME, and
# dot-entries (~/.cargo, ~/.rustup, ~/.cache when the repository sits in $HOME).
# Before running, it checks that the sandbox really hides the neighbours.
alone() {
  local root parent d rel
  root="$(cd "$ROOT" && pwd -P)"
  parent="$(dirname "$root")"
  if [ "$parent" = / ]; then
    # Beside a repository at the root sit only system directories; nothing to hide.
    "$@"
    return
  fi
  local args=(--dev-bind / / --tmpfs "$parent") keep=("$(basename "$root")")
  for d in "${CARGO_TARGET_DIR:-}" "${CARGO_HOME:-$HOME/.cargo}" "${RUSTUP_HOME:-$HOME/.rustup}" \
    "${TMPDIR:-}" "${XDG_DATA_HOME:-}" "$parent"/.[!.]*; do
    [ -n "$d" ] && [ -e "$d" ] || continue
    d="$(realpath "$d")"
    case "$d/" in
      "$root"/*) ;;
      "$parent"/*)
        args+=(--bind "$d" "$d")
        rel="${d#"$parent"/}"
        keep+=("${rel%%/*}")
        ;;
    esac
  done
  args+=(--bind "$root" "$root" --chdir "$PWD")
  local expected actual
  expected="$(printf '%s\n' "${keep[@]}" | sort -u)"
  actual="$(bwrap "${args[@]}" ls -A "$parent" | sort -u)"
  if [ "$expected" != "$actual" ]; then
    printf 'alone: the sandbox still shows beside the repository:\n%s\n' "$actual" >&2
    return 1
  fi
  bwrap "${args[@]}" "$@"
}
