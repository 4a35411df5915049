"""The ASVS trace as a page: renders asvs-l2.toml to asvs-l2.md, the check sheet's evidence.

Run `python docs/security/trace.py` after changing the TOML; tests/test_asvs_trace.py fails while
the page is out of date, and checks the TOML itself.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "asvs-l2.toml"
PAGE = HERE / "asvs-l2.md"
STATUSES = ("met", "not-met", "n/a")
GAPS = ("product", "test", "docs", "deployment", "pending")
CHAPTERS = {
    "V1": "Encoding and Sanitization",
    "V2": "Validation and Business Logic",
    "V3": "Web Frontend Security",
    "V4": "API and Web Service",
    "V5": "File Handling",
    "V6": "Authentication",
    "V7": "Session Management",
    "V8": "Authorization",
    "V9": "Self-contained Tokens",
    "V10": "OAuth and OIDC",
    "V11": "Cryptography",
    "V12": "Secure Communication",
    "V13": "Configuration",
    "V14": "Data Protection",
    "V15": "Secure Coding and Architecture",
    "V16": "Security Logging and Error Handling",
    "V17": "WebRTC",
}
PLAN_SECTIONS = {
    "A": "Anonymous exposure and crawling",
    "B": "Authorization between roles and organisations",
    "C": "Authentication and sessions",
    "D": "Input",
    "E": "Storage faults",
    "F": "Concurrency",
    "G": "Privacy",
}


def load(path: Path = SOURCE) -> dict:
    """The trace as data."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def chapter_of(requirement_id: str) -> str:
    """`V6.2.1` → `V6`."""
    return requirement_id.split(".", 1)[0]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _test_name(node_id: str) -> str:
    return f"`{node_id.removeprefix('tests/')}`"


def slug(heading: str) -> str:
    """A heading's anchor as Markdown renderers make it: `## Rules across fields` → `rules-across-fields`."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _document(reference: str) -> str:
    """`docs/security/input-rules.md#fields` as a link from this page, which sits beside it."""
    path, anchor = reference.split("#", 1)
    name = Path(path).name
    return f"[{name} § {anchor}]({name}#{anchor})"


def _missing(entry: dict) -> str:
    return entry["missing"].removeprefix("pending: ")


def _evidence(entry: dict) -> str:
    """What stands behind the status: the reason, or the gap, then the documents, the tests and the note."""
    parts = []
    if entry["status"] == "n/a":
        parts.append(entry["reason"])
    if entry["status"] == "not-met":
        parts.append(f"**{entry['gap']}:** {_missing(entry)}")
    parts += [_document(reference) for reference in entry.get("docs", [])]
    parts += [_test_name(node) for node in entry.get("tests", [])]
    if "note" in entry:
        parts.append(f"*{entry['note']}*")
    return "<br>".join(_cell(part) for part in parts)


def _counts(requirements: dict) -> list[str]:
    lines = ["| status | L1 | L2 | all |", "|---|---|---|---|"]
    for status in (*STATUSES, None):
        row = [e for e in requirements.values() if status in (None, e["status"])]
        by_level = [sum(e["level"] == level for e in row) for level in (1, 2)]
        lines.append(f"| {status or 'all'} | {by_level[0]} | {by_level[1]} | {len(row)} |")
    return lines


def _table(rows: list[tuple[str, dict]], with_level: bool) -> list[str]:
    columns = ["id", "L", "requirement"] if with_level else ["case", "attack"]
    columns += ["status", "evidence"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for key, entry in rows:
        level = f" {entry['level']} |" if with_level else ""
        lines.append(f"| {key} |{level} {_cell(entry['title'])} | {entry['status']} | {_evidence(entry)} |")
    return lines


def render(trace: dict) -> str:
    """The whole page: counts, a table per chapter, the test plan's cases, and what is not met."""
    requirements, cases = trace["requirements"], trace["cases"]
    standard = trace["standard"]
    not_met = [(key, e) for key, e in [*requirements.items(), *cases.items()] if e["status"] == "not-met"]
    open_requirements = [e for e in requirements.values() if e["status"] == "not-met"]
    gaps = ", ".join(f"{gap} {sum(e['gap'] == gap for e in open_requirements)}" for gap in GAPS)
    open_cases = sum(e["status"] == "not-met" for e in cases.values())
    lines = [
        f"# {standard['name']} {standard['version']} levels 1 and 2: what proves each requirement",
        "",
        "Rendered from `asvs-l2.toml` by `python docs/security/trace.py`; edit the TOML, not this page.",
        "A test named without `[..]` stands for all its parametrized cases.",
        "",
        *_counts(requirements),
        "",
        f"Requirements not met, by what is missing: {gaps}. "
        f"Test plan cases not met: {open_cases} of {len(cases)}.",
    ]
    for chapter, name in CHAPTERS.items():
        rows = [(key, e) for key, e in requirements.items() if chapter_of(key) == chapter]
        lines += ["", f"## {chapter} {name}", "", *_table(rows, with_level=True)]
    lines += ["", "## The security test plan (SECURITY-TESTS.md)"]
    for letter, name in PLAN_SECTIONS.items():
        rows = [(key, e) for key, e in cases.items() if key.startswith(letter)]
        lines += ["", f"### {letter}. {name}", "", *_table(rows, with_level=False)]
    lines += ["", "## Not met", ""]
    for gap in GAPS:
        lines += [f"- {key} ({gap}): {_cell(_missing(e))}" for key, e in not_met if e["gap"] == gap]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    PAGE.write_text(render(load()), encoding="utf-8")
    print(f"wrote {PAGE}")
