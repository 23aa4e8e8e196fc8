"""How county/demo/demo_county.xlsx was made, kept for the record.

The demo county used to live in demo_county.json plus a map, in load_demo, of which
department supervises which workstream. This script turned both (and the demo accounts
load_demo used to create) into the set-up workbook, once; the workbook is now the
demo's source of truth and the JSON survives only as tests/data/demo_county.json, which
the tests compare the workbook with. Run from the project root:

    .venv/bin/python county/demo/build_workbook.py tests/data/demo_county.json \\
        county/demo/demo_county.xlsx
"""

import json
import os
import sys
from pathlib import Path

# Which department supervises which workstream (load_demo's former SUPERVISIONS map).
SUPERVISIONS = {
    "reforms": ["县委改革办", "县委目标绩效办"],
    "landplan": ["县自然资源局"],
    "abandoned_land": ["县农业农村局"],
    "environment": ["县住房和城乡建设局", "县农业农村局", "县生态环境局", "县委目标绩效办"],
}
# The assessment office (督查板块 "考核"): its supervisors set the 考核 formula.
ASSESSMENT_UNITS = ["县委目标绩效办"]
# Units whose demo supervisor account is sup_<code>.
SUPERVISOR_ACCOUNT_UNITS = ["县委改革办", "县自然资源局", "县农业农村局", "县住房和城乡建设局"]


def short_name(name, aliases):
    return min([name, *aliases], key=len)


def content_from_json(data):
    """The workbook content (see county.setup.template) of the demo county."""
    from county.registry import registry

    aliases = {}
    for short, full in data["department_aliases"].items():
        aliases.setdefault(full, []).append(short)
    supervises = {}
    for workstream in registry:
        for name in SUPERVISIONS.get(workstream.key, []):
            supervises.setdefault(name, []).append(workstream.label)
    for name in ASSESSMENT_UNITS:
        supervises.setdefault(name, []).append("考核")
    townships = [
        {"code": f"T{order:02d}", "name": t["name"], "kind": t["kind"]}
        for order, t in enumerate(data["townships"], start=1)
    ]
    departments = [
        {
            "code": f"D{order:02d}",
            "name": name,
            "aliases": "、".join(aliases.get(name, [])),
            "supervises": "、".join(supervises.get(name, [])),
        }
        for order, name in enumerate(data["departments"], start=1)
    ]
    villages = [
        {
            "township": t["name"],
            "name": village,
            "kind": "社区" if village.endswith("社区") else "村",
        }
        for t in data["townships"]
        for village in t["villages"]
    ]
    leaders = [
        {
            "name": leader["name"],
            "title": leader["title"],
            "liaison": "、".join(leader["liaison_townships"]),
        }
        for leader in data["leaders"]
    ]
    groups = [{"name": name} for name in data["reform_special_groups"]]
    # The demo accounts, in the order load_demo created them: every department's and
    # township's staff, four supervisors, the leaders, the administrator.
    accounts = [
        {
            "username": d["code"].lower(),
            "name": f"{short_name(d['name'], aliases.get(d['name'], []))}经办人",
            "role": "单位工作人员",
            "unit": d["name"],
        }
        for d in departments
    ]
    accounts += [
        {
            "username": t["code"].lower(),
            "name": f"{t['name']}经办人",
            "role": "单位工作人员",
            "unit": t["name"],
        }
        for t in townships
    ]
    accounts += [
        {
            "username": f"sup_{d['code'].lower()}",
            "name": f"{short_name(d['name'], aliases.get(d['name'], []))}督查员",
            "role": "督查人员",
            "unit": d["name"],
        }
        for d in departments
        if d["name"] in SUPERVISOR_ACCOUNT_UNITS
    ]
    accounts += [
        {"username": f"leader{order:02d}", "name": leader["name"], "role": "县级领导"}
        for order, leader in enumerate(data["leaders"], start=1)
    ]
    accounts.append({"username": "admin", "name": "系统管理员", "role": "系统管理员"})
    return {
        "townships": townships,
        "villages": villages,
        "departments": departments,
        "leaders": leaders,
        "groups": groups,
        "accounts": accounts,
    }


def main(json_path, out_path):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county.settings")
    django.setup()
    from county.setup.template import write_setup_workbook

    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    Path(out_path).write_bytes(write_setup_workbook(content_from_json(data)))
    print(f"已生成 {out_path}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(*sys.argv[1:3])
