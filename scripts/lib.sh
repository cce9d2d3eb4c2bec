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
# XSD checks, the keyring stack for secret-service tests.
APT_TEST=(xvfb xauth webkit2gtk-driver chromium libxml2-utils dbus gnome-keyring openssl xmlsec1
  libsecret-tools keyutils)

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
