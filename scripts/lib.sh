# Shared helpers for scripts/run.sh and scripts/test.sh (sourced, not run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

# Install Debian packages that are missing (root, or sudo when present).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  log "安装系统软件包：${missing[*]}"
  local sudo=""
  [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
}

# Create .venv with Python >= 3.11 and install requirements.txt when it changed.
ensure_venv() {
  local py
  py=$(command -v python3.11 || command -v python3)
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "需要 Python 3.11 或更新版本（找到：$("$py" --version)）" >&2
    exit 1
  fi
  if [[ ! -x .venv/bin/python ]]; then
    log "创建虚拟环境 .venv"
    "$py" -m venv .venv || { apt_install python3-venv && "$py" -m venv .venv; }
  fi
  local stamp=.venv/.requirements.sha256
  local want
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    log "安装 Python 依赖（requirements.txt）"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 \
      | grep -v -E 'is ignored|^$' || true
    .venv/bin/python -c 'import django, celery, openpyxl, playwright' # fail loudly if pip did
    echo "$want" >"$stamp"
  fi
}
