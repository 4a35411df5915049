"""Demo library: four folders with their grants, a few generated PDF and XLSX documents, and
daily reports for the last few days. Fictional content only, no personal data."""

from __future__ import annotations

import io
from datetime import timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from portal.core.dates import business_today
from portal.core.models import Folder, FolderGrant, User
from portal.core.models.base import utcnow
from portal.staff.daily_reports.service import file_report, prefill
from portal.staff.exports import Stamp, exporter_of, xlsx_bytes
from portal.staff.library.store import add_document, add_version
from portal.staff.storage.uploads import as_upload

FONT = "HeiseiKakuGo-W5"  # one of the Japanese fonts every PDF reader has; nothing is embedded


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a heading and a few lines of Japanese text."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setTitle(title)
    page.setFont(FONT, 16)
    page.drawString(60, 780, title)
    page.setFont(FONT, 11)
    for number, line in enumerate(lines):
        page.drawString(60, 740 - 20 * number, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _folder(name: str, purpose: str, owner: User, grants: list[dict], by: User) -> Folder:
    folder = Folder.create(name=name, purpose=purpose, owner=owner.organisation_id)
    for grant in grants:
        FolderGrant.create(folder=folder, granted_by=by.id, **grant)
    return folder


def seed_library() -> None:
    """Folders, documents and daily reports, made through the same paths as the pages use."""
    users = {user.role: user for user in User.select().order_by(User.id)}
    if not {"city", "operator", "admin"} <= set(users):
        return
    city, operator, admin = users["city"], users["operator"], users["admin"]
    staff_roles = [{"role": role, "access": "read"} for role in ("consultant", "operator")]
    daily = _folder(
        "日報", "daily-reports", operator, [{"organisation": city.organisation_id, "access": "read"}], admin
    )
    manuals = _folder("業務マニュアル", "manuals", city, staff_roles, admin)
    reports = _folder(
        "市への報告",
        "city-reports",
        operator,
        [{"organisation": city.organisation_id, "access": "read"}],
        admin,
    )
    notices = _folder("お知らせ", "notices", city, [*staff_roles, {"role": "admin", "access": "read"}], admin)

    steps = ["受付時間は平日 9:00〜17:00 です。", "予約の変更は受付番号で検索してください。"]
    manual = add_document(
        manuals,
        "相談対応マニュアル",
        as_upload(pdf_bytes("相談対応マニュアル 第1版", steps), "相談対応マニュアル.pdf"),
        city,
    )
    add_version(
        manual,
        as_upload(
            pdf_bytes("相談対応マニュアル 第2版", [*steps, "来場者の受付は会場受付の画面で行います。"]),
            "相談対応マニュアル_v2.pdf",
        ),
        city,
    )
    add_document(
        manuals,
        "電話受付の手引き",
        as_upload(pdf_bytes("電話受付の手引き", steps), "電話受付の手引き.pdf"),
        city,
    )
    add_document(
        notices,
        "年末年始の休業のお知らせ",
        as_upload(pdf_bytes("年末年始の休業", ["12月29日から1月3日まで休業します。"]), "休業のお知らせ.pdf"),
        city,
    )
    made = Stamp(exporter_of(operator), utcnow())
    summary = xlsx_bytes(
        "月次報告", ["項目", "件数"], [["電話対応", 412], ["予約受付", 268], ["来場", 241]], stamp=made
    )
    add_document(reports, "月次報告（運営状況）", as_upload(summary, "月次報告.xlsx"), operator)

    issues = [
        "特記事項なし。",
        "午後に電話が集中し、折り返し対応が 3 件ありました。",
        "会場の案内表示を追加しました。",
    ]
    for days_ago, text in enumerate(issues, start=1):
        day = business_today() - timedelta(days=days_ago)
        counts = prefill(day)
        report = file_report(day, counts.counter.calls, counts.bookings, text, 0, operator)
        if days_ago == 2:
            table = xlsx_bytes("集計", ["時間帯", "電話"], [["9-12時", 18], ["12-17時", 31]], stamp=made)
            add_document(
                daily,
                f"{day.isoformat()} 時間帯別の電話件数",
                as_upload(table, "時間帯別.xlsx"),
                operator,
                daily_report=report,
            )
