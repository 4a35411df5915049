"""The check sheet as a workbook: the items by stage, the evidence, and every signature."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.core.i18n import date_time
from portal.staff.check_sheet.items import STAGES
from portal.staff.check_sheet.sheet import Sheet, status_label
from portal.staff.check_sheet.signing import Signature, StageState
from portal.staff.exports import current_stamp, workbook_bytes


def signed_text(signature: Signature | None) -> str:
    """A signature as one line: name (organisation), the day."""
    if signature is None:
        return ""
    return f"{signature.signer}（{signature.organisation}）{signature.on.isoformat()}"


def stage_cell(state: StageState, number: int) -> str:
    """What a stage's newest sign-off recorded for an item, or nothing if the stage is unsigned."""
    if state.signed is None:
        return _("未署名")
    return status_label(state.signed.recorded(number))


def workbook(sheet: Sheet, stage_states: dict[str, StageState], history: list[Signature]) -> bytes:
    """The sheet, its evidence and its signatures, a worksheet each, stamped with the exporter."""
    items = [
        [row.item.number, str(row.item.title), str(row.item.question), status_label(row.status)]
        + [stage_cell(stage_states[stage.key], row.item.number) for stage in STAGES]
        for row in sheet.rows
    ]
    signatures = [
        [str(stage.label), _("署名"), signed_text(stage_states[stage.key].signed)] for stage in STAGES
    ] + [
        [str(stage.label), _("確認（二人目）"), signed_text(stage_states[stage.key].countersigned)]
        for stage in STAGES
    ]
    evidence = [
        [found.title, status_label(found.status), label, value]
        for found in sheet.evidence.values()
        for label, value in found.facts
    ]
    stage_names = {stage.key: str(stage.label) for stage in STAGES}
    kept = [
        [
            s.id,
            stage_names[s.stage],
            _("確認（二人目）") if s.countersigns else _("署名"),
            s.signer,
            s.organisation,
            s.on,
            date_time(s.at),
            s.countersigns or "",
        ]
        for s in history
    ]
    return workbook_bytes(
        [
            (
                _("確認シート"),
                ["No", _("確認項目"), _("確認内容"), _("現在の証跡"), *stage_names.values()],
                items,
            ),
            (_("署名"), [_("段階"), _("種別"), _("署名者")], signatures),
            (_("証跡"), [_("証跡"), _("状態"), _("項目"), _("内容")], evidence),
            (
                _("署名の履歴"),
                ["ID", _("段階"), _("種別"), _("氏名"), _("組織"), _("日付"), _("日時"), _("確認した署名")],
                kept,
            ),
        ],
        stamp=current_stamp(),
    )
