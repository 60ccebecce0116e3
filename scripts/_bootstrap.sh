# Sourced by scripts/demo and scripts/test: creates .venv and installs netline with its
# pinned, tested-together dependencies (requirements/constraints.txt). Re-installs only when
# pyproject.toml or the constraints change (their hash is kept in a stamp file).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.netline-inputs.sha256"
python="${PYTHON:-python3}"

netline_bootstrap() {
  local want
  want="$(cat "$root/pyproject.toml" "$root/requirements/constraints.txt" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/netline" ]; then
    return 0
  fi
  echo "netline: setting up $venv (first run only)" >&2
  if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" || return 1
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$root/requirements/constraints.txt" -e "$root[dev]" || return 1
  echo "$want" > "$stamp"
}

if ! netline_bootstrap; then
  echo "netline: could not set up the virtual environment in $venv" >&2
  exit 1
fi
export PATH="$venv/bin:$PATH"
