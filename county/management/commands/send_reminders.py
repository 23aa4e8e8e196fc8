"""``manage.py send_reminders``: run the daily reminders by hand (the same code as beat)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from county.reminders.service import run
from county.templatetags.dates import cn_date


def parse_day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"日期格式应为 YYYY-MM-DD，收到“{value}”。") from error


class Command(BaseCommand):
    help = (
        "按提醒规则扫描所有有时限的工作，发送每日提醒汇总、逾期升级和督办单"
        "（可重复运行，不会重复发送）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=parse_day, help="按哪一天运行（YYYY-MM-DD），默认今天。")
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将要发送的内容，不发送、不记录。"
        )
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象。")

    def handle(self, *args, date=None, dry_run=False, json=False, **options):
        report = run(date, dry_run=dry_run)
        if json:
            self.stdout.write(_json(report.as_json()))
            return
        self.write_report(report)

    def write_report(self, report):
        out = self.stdout.write
        day = cn_date(report.day)
        mode = "（试运行：以下为将要发送的内容，未发送、未记录）" if report.dry_run else ""
        out(f"督办提醒 {day}{mode}")
        if report.day_off:
            out(f"今天是非工作日（{report.day_off}），不发送提醒；下一个工作日补发。")
            return
        out(f"扫描到期窗口内未完成事项 {report.items} 项，应发提醒 {report.planned} 条。")
        verb = "将新记录" if report.dry_run else "新记录"
        out(f"{verb}提醒 {report.recorded} 条，此前已记录 {report.already_sent} 条（不重复发送）。")
        verb = "将发送" if report.dry_run else "已发送"
        out(f"{verb}汇总 {len(report.digests)} 份，共含提醒 {report.sent} 条：")
        for user, tally, email in report.digests:
            parts = "，".join(f"{label}{n}项" for label, n in tally)
            where = user.affiliation
            out(f"  · {user.username} {user}（{where}）：{parts}；邮件：{_email_label(email)}")
        out(f"逾期升级（督查人员、牵头县领导）{report.escalations} 条。")
        if report.notices:
            shown = "、".join(report.notices[:10]) + ("等" if len(report.notices) > 10 else "")
            out(f"新下发督办单 {len(report.notices)} 份：{shown}")
        if report.units_without_account:
            names = "、".join(report.units_without_account)
            out(self.style.WARNING(f"以下责任单位没有启用的账号，提醒已改发督查人员：{names}"))
        if report.leaders_without_account:
            names = "、".join(report.leaders_without_account)
            out(self.style.WARNING(f"以下牵头县领导没有启用的账号，无法送达：{names}"))
        if report.unrouted:
            out(
                self.style.ERROR(
                    f"以下提醒无人可收（单位无账号且板块无督查人员）：{'；'.join(report.unrouted)}"
                )
            )
        if report.emails_failed:
            out(self.style.WARNING(f"邮件发送失败 {report.emails_failed} 封，下次运行时重试。"))


def _email_label(status):
    from county.reminders.models import Digest

    try:
        return Digest.Email(status).label
    except ValueError:
        return status


def _json(data):
    return json.dumps(data, ensure_ascii=False)
