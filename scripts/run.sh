#!/usr/bin/env bash
# Run the demo: virtual environment, dependencies, SQLite database, demo county, server on :8000.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_venv
export DEBUG="${DEBUG:-true}"
log "迁移数据库（默认 var/demo.sqlite3）"
.venv/bin/python manage.py migrate --noinput -v0
log "导入示范县演示数据"
.venv/bin/python manage.py load_demo
ADDR="${ADDR:-127.0.0.1:8000}"
cat <<MSG

  县域改革工作督查平台已启动：http://${ADDR}/
  演示账号（密码均为 demo1234）：
    县农业农村局工作人员  d21        城关镇工作人员  t02
    县委改革办督查        sup_d03    县住建局督查    sup_d18
    县自然资源局督查      sup_d17    县农业农村局督查 sup_d21
    县委书记（县级领导）  leader01   系统管理员      admin
  每个单位都有工作人员账号：部门 d01–d40，乡镇 t01–t20（顺序见 README）。
  按 Ctrl+C 停止。

MSG
exec .venv/bin/python manage.py runserver "$ADDR"
