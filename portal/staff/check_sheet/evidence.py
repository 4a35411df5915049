"""The evidence the portal produces about itself for the check sheet, one function per kind.

Each is read fresh when the sheet opens and costs little: stored results (self-check runs, the
last signed audit verification, the last dependency scan) are shown with their age instead of
being run again; settings, counts and the storage backend's own posture check are read live.
Nothing here holds personal data: counts, statuses, settings and check titles only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from flask import current_app, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from portal.core.dates import business_today
from portal.core.i18n import date_time
from portal.core.models import CheckRun, StoredObject, User
from portal.core.models.accounts import ROLES
from portal.core.models.base import utcnow
from portal.core.settings import PROJECT_ROOT
from portal.staff.audit.keys import audit_keys
from portal.staff.audit_log.status import chain_status
from portal.staff.permissions import PERMISSIONS
from portal.staff.roles import ROLE_LABELS
from portal.staff.self_checks.runs import Check, latest
from portal.staff.storage import stream_aead
from portal.staff.storage.transfer import object_store

ASVS_TRACE = PROJECT_ROOT / "docs" / "security" / "asvs-l2.toml"
SHOWN_FINDINGS = 5


class Status(StrEnum):
    """How a piece of evidence reads, worst last."""

    INFO = "info"  # a record to read; there is nothing for the portal to judge
    OK = "ok"
    MISSING = "missing"  # not run yet, or nothing to run it with
    ATTENTION = "attention"


STATUS_LABELS = {
    Status.INFO: _l("記録"),
    Status.OK: _l("問題なし"),
    Status.MISSING: _l("未実施"),
    Status.ATTENTION: _l("要確認"),
}
PERSON_LABEL = _l("人が確認")


@dataclass(frozen=True)
class Evidence:
    """One kind of evidence: a title, how it reads, facts as (label, value), and an optional table."""

    key: str
    title: str
    status: Status
    facts: list[tuple[str, str]]
    table: list[list[str]] = field(default_factory=list)  # the header row first


def worst(statuses: Iterable[Status]) -> Status:
    """The status that needs the most attention."""
    order = list(Status)
    return max(statuses, key=order.index, default=Status.INFO)


def _age(at: datetime) -> str:
    return _("%(at)s（%(age)s）", at=date_time(at), age=format_timedelta(at - utcnow(), add_direction=True))


def _run_facts(label: str, run: CheckRun | None) -> list[tuple[str, str]]:
    if run is None:
        return [(label, _("未実行"))]
    summary = _("%(at)s　重大な所見 %(serious)d件", at=_age(run.finished_at), serious=run.serious)
    serious = [f["title"] for f in run.found() if f["severity"] == "serious"][:SHOWN_FINDINGS]
    return [(label, summary), *((_("重大な所見"), title) for title in serious)]


def _run_status(runs: Iterable[CheckRun | None]) -> Status:
    runs = list(runs)
    if any(run is not None and run.serious for run in runs):
        return Status.ATTENTION
    return Status.MISSING if any(run is None for run in runs) else Status.OK


SELF_CHECKS = {
    Check.EXPOSURE: _l("公開状態の自己診断（外部からの匿名アクセス）"),
    Check.ZONES: _l("公開側の資格情報が職員側に届かないこと"),
    Check.STORAGE: _l("保存先の設定診断（定期実行）"),
    Check.AUDIT_CHAIN: _l("監査ログの検証（定期実行）"),
}


def self_checks(runs: dict[Check, CheckRun]) -> Evidence:
    """The newest run of each of the portal's own checks, with its age; 'not run yet' where none."""
    facts = [fact for check, label in SELF_CHECKS.items() for fact in _run_facts(str(label), runs.get(check))]
    status = _run_status(runs.get(check) for check in SELF_CHECKS)
    return Evidence("self_checks", _("自己診断"), status, facts)


def storage(runs: dict[Check, CheckRun]) -> Evidence:
    """The configured backend and the storage posture its last scheduled check found (the check
    writes and deletes a probe object, so it runs in `portal self-check`, never on a page view)."""
    run = runs.get(Check.STORAGE)
    facts = [(_("保存先"), object_store().backend.name), *_run_facts(str(SELF_CHECKS[Check.STORAGE]), run)]
    return Evidence("storage", _("保存先の設定診断"), _run_status([run]), facts)


def audit_chain() -> Evidence:
    """The last stored `portal audit verify` result, whether its signature holds, and the anchor now."""
    status = chain_status()
    verification = status.verification
    if verification is None:
        facts = [(_("最後の検証"), _("未実行"))]
        judged = Status.MISSING
    else:
        result = verification.result
        facts = [
            (_("最後の検証"), _age(result.at)),
            (_("検証した記録"), str(result.events)),
            (_("見つかった問題"), str(result.problems)),
            (_("検証結果の署名"), _("有効") if verification.genuine else _("無効")),
        ]
        judged = Status.ATTENTION if result.problems or not verification.genuine else Status.OK
    facts += [
        (_("検証後に追加された記録"), str(status.unverified)),
        (_("アンカーと最新の記録"), _("一致") if status.head_matches else _("不一致")),
    ]
    if not status.head_matches:
        judged = Status.ATTENTION
    return Evidence("audit_chain", _("監査ログの改ざん検証"), judged, facts)


def networks() -> Evidence:
    """The networks allowed to reach the staff site and the proxies whose headers are believed."""
    settings = current_app.config["PORTAL"]
    open_to_all = any(network.prefixlen == 0 for network in settings.staff_networks)
    facts = [
        (_("職員用サイトに接続できるネットワーク"), ", ".join(str(n) for n in settings.staff_networks)),
        (_("信頼するプロキシの段数"), str(settings.trusted_proxies)),
        (_("プロキシの接続元"), settings.proxy_address),
    ]
    judged = Status.ATTENTION if open_to_all or settings.proxy_address == "*" else Status.OK
    return Evidence("networks", _("ネットワークのアクセス制御"), judged, facts)


def second_factor() -> Evidence:
    """Enabled accounts with a second factor enrolled, out of all enabled accounts, per role."""
    enabled = User.disabled_at.is_null() & (User.expires_on.is_null() | (User.expires_on >= business_today()))
    enrolled = fn.SUM(User.totp_secret.is_null(False).cast("integer"))
    query = User.select(User.role, enrolled, fn.COUNT(User.id)).where(enabled).group_by(User.role)
    counts = {role: (int(covered or 0), total) for role, covered, total in query.tuples()}
    per_role = [(role, *counts.get(role, (0, 0))) for role in ROLES]
    table = [[_("役割"), _("二要素認証を設定済み"), _("有効なアカウント")]]
    table += [[str(ROLE_LABELS[role]), str(covered), str(total)] for role, covered, total in per_role]
    covered, total = sum(row[1] for row in per_role), sum(row[2] for row in per_role)
    facts = [(_("二要素認証の設定率"), _("%(covered)d / %(total)d", covered=covered, total=total))]
    judged = Status.OK if covered == total else Status.ATTENTION
    return Evidence("second_factor", _("二要素認証の設定状況"), judged, facts, table)


def dependencies(runs: dict[Check, CheckRun]) -> Evidence:
    """The last dependency scan with its age and the database it read; says so when none is possible."""
    run = runs.get(Check.DEPENDENCIES)
    configured = current_app.config["PORTAL"].vulnerability_db
    facts = [(_("脆弱性データベース"), str(configured) if configured else _("設定なし（検査できません）"))]
    facts += _run_facts(_("最後の検査"), run)
    if run is not None:
        facts += [(_("検査の範囲"), f["title"]) for f in run.found() if f["severity"] == "note"]
    return Evidence("dependencies", _("依存パッケージの脆弱性検査"), _run_status([run]), facts)


def encryption() -> Evidence:
    """The keys in use and how data is encrypted in transit and at rest, as configured now."""
    settings = current_app.config["PORTAL"]
    keyring = object_store().keyring
    in_use = sorted(row.kek_id for row in StoredObject.select(StoredObject.kek_id).distinct())
    backend = settings.storage_backend
    s3_tls = settings.storage_options(backend).get("secure") if backend == "minio" else None
    facts = [
        (_("鍵暗号化鍵（KEK）の数"), str(len(keyring.keys))),
        (_("新しいファイルに使う鍵"), keyring.current()),
        (_("ファイルが使っている鍵"), ", ".join(in_use) or _("なし")),
        (
            _("ファイルの暗号化"),
            f"AES-256-GCM STREAM ({stream_aead.SEGMENT // 1024 // 1024} MiB, v{stream_aead.VERSION})",
        ),
        (_("項目の暗号化"), "AES-256-GCM (field.key)"),
        (_("監査ログの鍵"), audit_keys().current()),
        (
            _("S3への接続のTLS"),
            _("該当なし（%(backend)s）", backend=backend) if s3_tls is None else _yes(s3_tls),
        ),
        (_("セッションCookieのSecure属性"), _yes(request.is_secure)),
    ]
    judged = Status.OK if request.is_secure and s3_tls is not False else Status.ATTENTION
    return Evidence("encryption", _("暗号化の設定"), judged, facts)


def _yes(value: bool) -> str:
    return _("あり") if value else _("なし")


def permissions() -> Evidence:
    """The permission table by feature and role: which roles reach any page of each feature."""
    features: dict[str, set[str]] = {}
    for endpoint, roles in PERMISSIONS.items():
        features.setdefault(endpoint.split(".", 1)[0], set()).update(roles)
    table = [[_("機能"), *(str(ROLE_LABELS[role]) for role in ROLES)]]
    table += [
        [name, *("○" if role in roles else "－" for role in ROLES)]
        for name, roles in sorted(features.items())
    ]
    facts = [(_("権限表の項目"), str(len(PERMISSIONS)))]
    return Evidence("permissions", _("権限表"), Status.INFO, facts, table)


def asvs() -> Evidence:
    """OWASP ASVS 5.0 level 2: how many requirements are met, do not apply, and are not met."""
    try:
        requirements = tomllib.loads(ASVS_TRACE.read_text(encoding="utf-8"))["requirements"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return Evidence(
            "asvs", _("ASVS 5.0 レベル2の対応"), Status.MISSING, [(_("対応表"), _("見つかりません"))]
        )
    counts = {status: 0 for status in ("met", "n/a", "not-met")}
    for entry in requirements.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    facts = [
        (_("対応済み"), str(counts["met"])),
        (_("該当なし"), str(counts["n/a"])),
        (_("未対応"), str(counts["not-met"])),
    ]
    judged = Status.ATTENTION if counts["not-met"] else Status.OK
    return Evidence("asvs", _("ASVS 5.0 レベル2の対応"), judged, facts)


def gather() -> dict[str, Evidence]:
    """Every kind of evidence, by key, as it is now."""
    runs = latest()
    gatherers: dict[str, Callable[[], Evidence]] = {
        "self_checks": lambda: self_checks(runs),
        "storage": lambda: storage(runs),
        "audit_chain": audit_chain,
        "networks": networks,
        "second_factor": second_factor,
        "dependencies": lambda: dependencies(runs),
        "encryption": encryption,
        "permissions": permissions,
        "asvs": asvs,
    }
    return {key: gather_one() for key, gather_one in gatherers.items()}
