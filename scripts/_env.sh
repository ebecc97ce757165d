# Sourced by the set-up commands: creates .venv and installs the pinned requirements when
# they changed since the last install (a stamp file holds their hash).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON_BIN="${PYTHON:-$(command -v python3.11 || command -v python3)}"

ensure_env() {  # ensure_env requirements.txt [more requirement files...]
    if [ ! -x "$VENV/bin/python" ]; then
        echo "==> creating $VENV with $("$PYTHON_BIN" --version)"
        "$PYTHON_BIN" -m venv "$VENV"
    fi
    local stamp_file="$VENV/.installed-$(printf '%s' "$*" | tr ' /' '__')"
    local stamp
    stamp="$(cd "$ROOT" && cat "$@" | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
        echo "==> installing $*"
        local args=()
        for f in "$@"; do args+=(-r "$ROOT/$f"); done
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q "${args[@]}"
        echo "$stamp" > "$stamp_file"
    fi
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1; fi
}

ensure_debian_package() {  # ensure_debian_package <command> <package>
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "==> installing Debian package $2"
    if [ -z "${_APT_UPDATED:-}" ]; then as_root apt-get update -qq; _APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$2" >/dev/null
}
