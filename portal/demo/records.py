"""Demo consultation records, each with a small generated workbook and PDF.

They go on attended demo bookings whose session has a consultant; if the demo holds none (the
season may be absent), a past session of the demo consultant with attended visitors is made.
Fictional businesses only; everything personal is sealed like real data.
"""

from __future__ import annotations

from datetime import time, timedelta

from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationRecord, ConsultationSession, User, Venue
from portal.core.models.base import utcnow
from portal.core.models.reservations import BookingStatus, Channel
from portal.core.reservations import book
from portal.demo.library import pdf_bytes
from portal.staff.exports import Stamp, exporter_of, xlsx_bytes
from portal.staff.people import sealed_with_indexes
from portal.staff.records import content
from portal.staff.records.files import attach
from portal.staff.storage.uploads import as_upload

VISITORS = (
    ("架空パン工房", "カクウパンコウボウ", "青木 陽菜", "あおき ひな", "0300000101", "hina@example.com"),
    ("サンプル印刷", "サンプルインサツ", "石田 蓮", "いしだ れん", "0300000102", "ren@example.com"),
    ("例示リフォーム", "レイジリフォーム", "上野 結衣", "うえの ゆい", "0300000103", "yui@example.com"),
)
NOTES = (
    (["yachin"], "家賃支援給付金の申請要件と必要書類を説明した。", "賃貸借契約書の写しを確認する", 7),
    (["jizokuka", "yushi"], "売上減少の確認方法と融資制度の概要を案内した。", "", None),
    (["koyo"], "雇用調整助成金の計画届の書き方を助言した。", "申請書の下書きを確認する", 14),
)


def _visitors(consultant: User) -> list[Booking]:
    """Attended bookings in a past session of `consultant`, for a demo without a season."""
    venue, _ = Venue.get_or_create(
        name="架空市 中央区役所 相談室（記録の見本）",
        defaults={"ward": "中央区", "address": "架空市中央区1-1"},
    )
    session = ConsultationSession.create(
        venue=venue,
        date=business_today() - timedelta(days=7),
        starts_at=time(10),
        ends_at=time(12),
        capacity=len(VISITORS),
        consultant=consultant.id,
    )
    bookings = []
    for business, business_kana, contact, contact_kana, phone, email in VISITORS:
        person = {
            "business_name": business,
            "business_kana": business_kana,
            "contact_name": contact,
            "contact_kana": contact_kana,
            "phone": phone,
            "email": email,
            "address": "架空市中央区",
            "industry": "小売業",
        }
        made = book(
            session.id, channel=Channel.PHONE, status=BookingStatus.ATTENDED, **sealed_with_indexes(person)
        )
        bookings.append(made.booking)
    return bookings


def _unrecorded() -> list[Booking]:
    return list(
        Booking.select(Booking, ConsultationSession)
        .join(ConsultationSession)
        .where(
            Booking.status == BookingStatus.ATTENDED,
            ConsultationSession.consultant.is_null(False),
            Booking.id.not_in(ConsultationRecord.select(ConsultationRecord.booking)),
        )
        .order_by(ConsultationSession.date.desc(), Booking.id)
        .limit(len(NOTES))
    )


def seed_records() -> int:
    """Write the demo records; returns how many were made."""
    consultant = User.select().where(User.role == "consultant").order_by(User.id).first()
    if consultant is None:
        return 0
    bookings = _unrecorded() or _visitors(consultant)
    for booking, (programmes, advice, follow_up, days) in zip(bookings, NOTES, strict=False):
        author = User.get_by_id(booking.session.consultant_id)
        due = booking.session.date + timedelta(days=days) if days else None
        body = content.Body(advice=advice, programmes=programmes, follow_up=follow_up, follow_up_due=due)
        record = content.create(booking, author, body)
        sheet = xlsx_bytes(
            "相談記録",
            ["受付番号", "相談した支援制度", "助言"],
            [[booking.reference, ",".join(programmes), advice]],
            stamp=Stamp(exporter_of(author), utcnow()),
        )
        attach(record, as_upload(sheet, f"相談記録_{booking.reference}.xlsx"), author.id)
        memo = pdf_bytes(
            f"相談メモ {booking.reference}", [f"記録の助言（{len(advice)}文字）を添付のデモです。"]
        )
        attach(record, as_upload(memo, f"相談メモ_{booking.reference}.pdf"), author.id)
    return min(len(bookings), len(NOTES))
