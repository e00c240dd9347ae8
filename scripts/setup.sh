#!/usr/bin/env bash
# Idempotent tool set-up for acr-console, used by scripts/demo and scripts/test.
#
# Installs only what is missing, one line per step with elapsed time:
#   * the wasm32 standard library: `rustup target add` when that can download; otherwise Debian's
#     rustc-web + rust-web-src with build-std (see ../shared/docs/toolchain.md, "Debian mode");
#   * wasm-bindgen-cli at exactly the version pinned in Cargo.lock, trunk, wasm-opt (npm binaryen);
#   * Chromium + chromedriver (browser tests), brotli, nginx, OpenSSL headers.
#
# Writes target/toolchain/wasm-env.sh: the environment for wasm32 cargo/trunk commands. It must only
# be sourced in a subshell for wasm commands (a global export breaks native builds: toolchain.md
# pitfall 5). scripts/lib.sh does that.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLDIR="$ROOT/target/toolchain"
ENV_FILE="$TOOLDIR/wasm-env.sh"
TRUNK_VERSION=0.22.1          # needs rustc >= 1.96.1; 0.21.14 is the proven stable-1.95 fallback
TRUNK_FALLBACK_VERSION=0.21.14
BINARYEN_VERSION=132          # Debian's binaryen 108 breaks wasm-bindgen's externref table
export DEBIAN_FRONTEND=noninteractive
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
mkdir -p "$TOOLDIR"

T0=$EPOCHREALTIME
log() { printf '[setup %6.1fs] %s\n' "$(awk "BEGIN{print $EPOCHREALTIME-$T0}")" "$*"; }
die() { log "ERROR: $*"; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then command -v sudo >/dev/null && SUDO=sudo; fi
APT_UPDATED=""
apt_install() { # apt_install PKG... : installs the packages that are not installed yet
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
  if [ -z "$APT_UPDATED" ]; then log "apt-get update"; $SUDO apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 0. System packages: browser + driver for tests, brotli for size figures, nginx for the deployment
#    tests, OpenSSL headers for the native TLS used by the WebDriver client.
if command -v apt-get >/dev/null; then
  apt_install chromium chromium-driver brotli nginx-light libnginx-mod-http-brotli-filter \
    libnginx-mod-http-brotli-static pkg-config libssl-dev ca-certificates openssl
else
  for c in chromedriver brotli nginx; do command -v "$c" >/dev/null || die "$c is missing: install it"; done
fi
log "system packages ok"

# 1. wasm32 std. The chosen mode is remembered in the env file; it is re-checked cheaply.
sysroot=$(rustc --print sysroot)
MODE=${WASM_MODE:-}
if [ -z "$MODE" ] && [ -f "$ENV_FILE" ]; then
  MODE=$(sed -n 's/^# mode: //p' "$ENV_FILE")
fi
if [ "$MODE" = rustup ] && [ ! -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]; then MODE=""; fi
if [ -z "$MODE" ]; then
  if [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]; then
    MODE=rustup
  else
    log "rustup target add wasm32-unknown-unknown (120 s limit)"
    if timeout 120 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 &&
       [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]; then
      MODE=rustup
    else
      log "rustup could not download the wasm32 target: using Debian's rustc-web + build-std"
      MODE=debian
    fi
  fi
fi
{
  echo "# mode: $MODE"
  echo "# written by scripts/setup.sh; source only in a subshell for wasm32 commands"
  if [ "$MODE" = debian ]; then
    apt_install rustc-web rust-web-src rust-web-clippy lld-22 >&2
    echo 'export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1'
    echo 'export CARGO_UNSTABLE_BUILD_STD=std,panic_abort'
    # Debian's rustc keeps its own target dir so the two compilers never share artifacts.
    echo "export CARGO_TARGET_DIR=$ROOT/target/wasm-debian"
    [ -x /usr/bin/rust-lld ] ||
      echo "export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$sysroot/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
  fi
  echo 'export TRUNK_SKIP_VERSION_CHECK=true'
} > "$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"
log "wasm32 std: $MODE mode"

# 2. wasm-opt from npm's binaryen.
if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  command -v npm >/dev/null || apt_install nodejs npm
  if dpkg-query -W -f='${Status}' binaryen 2>/dev/null | grep -q 'install ok installed'; then
    log "removing Debian's binaryen (its wasm-opt breaks the module)"; $SUDO apt-get remove -y -qq binaryen >/dev/null
  fi
  log "npm install -g binaryen@$BINARYEN_VERSION"
  $SUDO npm install -g --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION" >/dev/null
  hash -r
fi
log "wasm-opt ok: $(wasm-opt --version)"

# 3. wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")
[ -n "$WB_VERSION" ] || die "no wasm-bindgen in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WB_VERSION (about 2 min)"
  # --locked fails for 0.2.130: its lock file pins a webpki-roots release the registry lacks.
  cargo install -q --locked --force wasm-bindgen-cli --version "$WB_VERSION" 2>/dev/null ||
    cargo install -q --force wasm-bindgen-cli --version "$WB_VERSION"
fi
log "wasm-bindgen ok: $(wasm-bindgen --version)"

# 4. trunk: 0.22 where the compiler allows it, else the proven 0.21 on stable.
if ! trunk --version 2>/dev/null | grep -Eq '^trunk 0\.2[12]\.'; then
  log "cargo install trunk (about 8 min the first time)"
  if cargo install -q --locked trunk --version "$TRUNK_VERSION" 2>/dev/null; then :
  elif rustup run nightly rustc --version >/dev/null 2>&1 &&
       cargo +nightly install -q --locked trunk --version "$TRUNK_VERSION"; then :
  else
    log "trunk $TRUNK_VERSION needs a newer rustc: installing $TRUNK_FALLBACK_VERSION"
    cargo install -q --locked trunk --version "$TRUNK_FALLBACK_VERSION"
  fi
fi
log "trunk ok: $(trunk --version)"

# 5. Browser for the tests.
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROME" ] || die "no Chromium found"
command -v chromedriver >/dev/null || die "no chromedriver found"
log "browser ok: $("$CHROME" --version 2>/dev/null | head -n1), $(chromedriver --version | cut -d' ' -f1-2)"
log "done"
