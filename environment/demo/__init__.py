"""Demo data of the environment workstream: the sample problem list and a few inspections."""

from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "environment_problems.xlsx"


def load_demo(stdout):
    """Import the sample problems through the ledger; idempotent (a second run changes nothing)."""
    from county.registry import registry

    ledger = registry.get("environment").ledger
    if ledger is None:
        stdout.write("城乡环境：台账引擎尚未就绪，跳过示例问题导入。")
        return
    report = ledger.run_import(SAMPLE, None)
    stdout.write(f"城乡环境：示例问题清单 {report.counts}")
