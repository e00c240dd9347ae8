# Shared helpers for scripts/demo and scripts/test (sourced, not run).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
T_START=$EPOCHREALTIME
elapsed() { awk "BEGIN{printf \"%.1f\", $EPOCHREALTIME-$1}"; }
STEPS_FILE="$ROOT/target/step-times.txt"

# step NAME CMD...: runs CMD with a header line and its elapsed time.
step() {
  local name=$1 t0=$EPOCHREALTIME; shift
  echo "==> $name"
  "$@"
  printf '<== %s: %ss\n' "$name" "$(elapsed "$t0")" | tee -a "$STEPS_FILE"
}

# wasm CMD...: runs CMD with the wasm32 environment written by setup.sh, in a subshell only
# (exported globally it would break native builds).
wasm() {
  ( set -a; . "$ROOT/target/toolchain/wasm-env.sh"; set +a; cd "$ROOT"
    export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver.json"; "$@" )
}

# wasm_clippy ARGS...: clippy for wasm32 with the compiler the wasm env selects.
wasm_clippy() {
  if grep -q '^# mode: debian' "$ROOT/target/toolchain/wasm-env.sh"; then
    # Debian's rustc needs Debian's clippy-driver (rust-web-clippy); cargo-clippy does what
    # `cargo clippy` does: run clippy-driver as the workspace wrapper of `cargo check`.
    wasm env RUSTC_WORKSPACE_WRAPPER=/usr/bin/clippy-driver \
      CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" cargo check "$@"
  else
    wasm cargo clippy "$@" -- -D warnings
  fi
}
