"""One-time initial passwords for accounts created in bulk, and the sheet that delivers them.

A new account gets a random password that is stored only as a hash; the clear text
lives in memory just long enough to be written into one Excel sheet for the
administrator (the command's ``--passwords-out`` file, or a one-time download on the
confirmation page). The account must change it at first login
(``User.must_change_password``, enforced by ``county.password_middleware``).
"""

import io
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from county.templatetags.dates import cn_datetime

# No 0/O, 1/l/I: people copy these from paper.
LETTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "23456789"
PASSWORD_LENGTH = 12
# PBKDF2 rounds for a one-time password. It is random (12 characters of 56, about 70
# bits), so it needs no million rounds against guessing, and 300 accounts hash in seconds
# instead of minutes. Django raises the rounds to the full count at the first login
# (PBKDF2PasswordHasher.must_update), and the user then changes it anyway.
ONE_TIME_ITERATIONS = 20_000


def generate_password(length=PASSWORD_LENGTH):
    """A random password with letters and digits (passes Django's password validators)."""
    while True:
        password = "".join(secrets.choice(LETTERS + DIGITS) for _ in range(length))
        if any(c in DIGITS for c in password) and sum(c in LETTERS for c in password) >= 4:
            return password


def hash_one_time(clear):
    """The stored hash of a one-time password: the default hasher, fewer PBKDF2 rounds."""
    hasher = get_hasher("default")
    if isinstance(hasher, PBKDF2PasswordHasher):
        iterations = min(ONE_TIME_ITERATIONS, hasher.iterations)
        return hasher.encode(clear, hasher.salt(), iterations=iterations)
    return make_password(clear)


class OneTimePasswords:
    """Each new account gets its own random password, handed over once; change at first login."""

    must_change = True
    superuser_admins = False

    def make(self):
        """(hash, clear text) for one new account."""
        clear = generate_password()
        return hash_one_time(clear), clear


class SharedPassword:
    """One known password for every new account (the demo): no forced change.

    Hashed once, lazily, so a run that creates no account hashes nothing. New accounts
    with the 系统管理员 role also become Django superusers, as the demo's ``admin`` is.
    """

    must_change = False
    superuser_admins = True

    def __init__(self, clear):
        self.clear = clear
        self._hash = None

    def make(self):
        if self._hash is None:
            self._hash = make_password(self.clear)
        return self._hash, None


PASSWORD_COLUMNS = (
    ("username", "用户名", 16),
    ("name", "姓名", 18),
    ("role", "角色", 14),
    ("unit", "所属单位", 26),
    ("password", "初始密码", 18),
)


def password_sheet(rows, county=""):
    """The initial passwords as .xlsx bytes: one row per new account.

    ``rows`` are dicts with the keys of :data:`PASSWORD_COLUMNS`.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "初始密码"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(PASSWORD_COLUMNS))
    title = f"{county}督查平台账号初始密码" if county else "督查平台账号初始密码"
    sheet.append([title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(name="黑体", size=14, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(
        [
            f"生成时间：{cn_datetime(timezone.localtime())}。每个初始密码只能用于首次登录，"
            "登录后必须立即修改。本表是初始密码的唯一副本，系统不保存明文：请逐一发给本人后删除本文件。"
        ]
    )
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 45
    sheet.append([header for _key, header, _width in PASSWORD_COLUMNS])
    for index in range(1, len(PASSWORD_COLUMNS) + 1):
        cell = sheet.cell(row=3, column=index)
        cell.font = Font(name="黑体", bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = border
        cell.alignment = Alignment(horizontal="center")
    for number, row in enumerate(rows, start=4):
        sheet.append([str(row.get(key) or "") for key, _header, _width in PASSWORD_COLUMNS])
        for index in range(1, len(PASSWORD_COLUMNS) + 1):
            cell = sheet.cell(row=number, column=index)
            cell.border = border
            cell.data_type = "s"  # never a formula, whatever the text
        sheet.cell(row=number, column=len(PASSWORD_COLUMNS)).font = Font(name="Consolas")
    for index, (_key, _header, width) in enumerate(PASSWORD_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
