"""The sheet itself as data: its ten items (in the wording of the operator's 2020 draft), the three
stages each is checked at, and which evidence the portal attaches to which item.

An item with no evidence of its own is for a person to judge; every item is signed by a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Stage:
    """When the sheet is checked."""

    key: str
    label: object


@dataclass(frozen=True)
class Item:
    """One line of the sheet: its number, short title, the draft's question, and its evidence."""

    number: int
    title: object
    question: object
    evidence: tuple[str, ...]  # keys of portal.staff.check_sheet.evidence.gather()


STAGES = (
    Stage("before_build", _l("構築前")),
    Stage("launch", _l("稼働時")),
    Stage("operation", _l("運用中")),
)
STAGE_KEYS = tuple(stage.key for stage in STAGES)

ITEMS = (
    Item(
        1,
        _l("稼働環境及びデータの保護"),
        _l("情報システムの運用環境や運用データに対する適切な保護対策が実施されているか"),
        ("storage", "audit_chain"),
    ),
    Item(
        2,
        _l("運用面のセキュリティ"),
        _l("情報システムの運用に際して、必要なセキュリティ対策が実施できているか"),
        ("self_checks", "audit_chain"),
    ),
    Item(
        3,
        _l("マルウェア対策"),
        _l(
            "不正プログラム（ウイルス、ワーム、トロイの木馬、ボット、スパイウェアなど）への対策が実施できているか"
        ),
        (),
    ),
    Item(
        4,
        _l("脆弱性対策"),
        _l("導入している情報システムに対して、適切な脆弱性対策が実施できているか"),
        ("dependencies", "self_checks"),
    ),
    Item(
        5,
        _l("通信及びサーバ上のデータの暗号化"),
        _l(
            "通信ネットワークを流れるデータや、公開サーバー上のデータに対して、暗号化などの適切な保護対策が実施できているか"
        ),
        ("encryption",),
    ),
    Item(
        6,
        _l("利用者ID・識別・認証"),
        _l(
            "情報（データ）や情報システムへのアクセスを制限するために、利用者IDの管理、利用者の識別と認証を"
            "適切に対策および実施ができているか"
        ),
        ("second_factor",),
    ),
    Item(
        7,
        _l("アクセス権限・アクセス制御"),
        _l(
            "情報（データ）や情報システム、業務アプリケーションなどに対するアクセス権の付与と、"
            "アクセス制御を適切に管理および対策（実施）できているか"
        ),
        ("permissions",),
    ),
    Item(
        8,
        _l("ネットワークのアクセス制御"),
        _l("ネットワークのアクセス制御を適切に対策および実施できているか"),
        ("networks",),
    ),
    Item(
        9,
        _l("設計におけるセキュリティ要件"),
        _l("業務システムの開発において、必要なセキュリティ要件を定義し、設計や実装に反映させているか"),
        ("asvs",),
    ),
    Item(
        10,
        _l("調達・開発の各段階におけるセキュリティ確認"),
        _l(
            "ソフトウェアの選定や購入、情報システムの開発や保守に際して、セキュリティ上の観点からの点検を"
            "プロセスごとに実施するなど、適切なリスク管理を実施しているか"
        ),
        ("dependencies", "asvs"),
    ),
)
