"""The pledge's first text, published by `portal init` (and `portal demo-seed`) on a store without one.

The contract's terms: everyone who handles the work signs it before starting, and nobody copies
the work's documents or data without the city's consent. The city publishes its own wording as
a new version in the portal; this is only where every installation starts.
"""

FIRST_TEXT = "\n".join(
    (
        "秘密保持に関する誓約書",
        "",
        "私は、市の中小企業支援センターの業務（相談予約の受付、会場の運営、相談の実施、"
        "相談記録の作成と共有、これらに付随する業務。以下「本業務」）に従事するにあたり、"
        "次のことを守ると誓約します。",
        "",
        "1. 本業務で知り得た事業者や個人の情報その他の秘密を、本業務の目的の外で使わず、"
        "第三者に漏らしません。本業務を離れた後も同じです。",
        "2. 市の同意なく、本業務の文書やデータを複写・複製せず、外部に持ち出しません"
        "（電子メールへの添付、私物の端末や記録媒体への保存を含みます）。",
        "3. このポータルのアカウント、パスワード、確認コードを他人に使わせず、共有しません。",
        "4. 情報の漏えいや紛失、またはそのおそれに気づいたときは、直ちに所属の責任者と市に報告し、"
        "その指示に従います。",
        "5. この誓約に反したときは、契約と関係する法令に基づく責任を負うことを承知しています。",
    )
)
