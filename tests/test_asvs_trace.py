"""The security check sheet's evidence holds: docs/security/asvs-l2.toml traces every ASVS 5.0
level 1 and 2 requirement and every case of the security test plan, each `met` one to tests that
exist, and the rendered page says the same.

Tests are found the way pytest finds them (`--collect-only` over the files the trace names); a
test named without `[..]` stands for all its parametrized cases.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The requirement ids of ASVS 5.0.0 at levels 1 and 2, as published (ids only).
LEVEL_1 = """
V1.2.1 V1.2.2 V1.2.3 V1.2.4 V1.2.5 V1.3.1 V1.3.2 V1.5.1 V2.1.1 V2.2.1 V2.2.2 V2.3.1 V3.2.1 V3.2.2
V3.3.1 V3.4.1 V3.4.2 V3.5.1 V3.5.2 V3.5.3 V4.1.1 V4.4.1 V5.2.1 V5.2.2 V5.3.1 V5.3.2 V6.1.1 V6.2.1
V6.2.2 V6.2.3 V6.2.4 V6.2.5 V6.2.6 V6.2.7 V6.2.8 V6.3.1 V6.3.2 V6.4.1 V6.4.2 V7.2.1 V7.2.2 V7.2.3
V7.2.4 V7.4.1 V7.4.2 V8.1.1 V8.2.1 V8.2.2 V8.3.1 V9.1.1 V9.1.2 V9.1.3 V9.2.1 V10.4.1 V10.4.2 V10.4.3
V10.4.4 V10.4.5 V11.3.1 V11.3.2 V11.4.1 V12.1.1 V12.2.1 V12.2.2 V13.4.1 V14.2.1 V14.3.1 V15.1.1
V15.2.1 V15.3.1
""".split()
LEVEL_2 = """
V1.1.1 V1.1.2 V1.2.6 V1.2.7 V1.2.8 V1.2.9 V1.3.3 V1.3.4 V1.3.5 V1.3.6 V1.3.7 V1.3.8 V1.3.9 V1.3.10
V1.3.11 V1.4.1 V1.4.2 V1.4.3 V1.5.2 V2.1.2 V2.1.3 V2.2.3 V2.3.2 V2.3.3 V2.3.4 V2.4.1 V3.3.2 V3.3.3
V3.3.4 V3.4.3 V3.4.4 V3.4.5 V3.4.6 V3.5.4 V3.5.5 V3.7.1 V3.7.2 V4.1.2 V4.1.3 V4.2.1 V4.3.1 V4.3.2
V4.4.2 V4.4.3 V4.4.4 V5.1.1 V5.2.3 V5.4.1 V5.4.2 V5.4.3 V6.1.2 V6.1.3 V6.2.9 V6.2.10 V6.2.11 V6.2.12
V6.3.3 V6.3.4 V6.4.3 V6.4.4 V6.5.1 V6.5.2 V6.5.3 V6.5.4 V6.5.5 V6.6.1 V6.6.2 V6.6.3 V6.8.1 V6.8.2
V6.8.3 V6.8.4 V7.1.1 V7.1.2 V7.1.3 V7.3.1 V7.3.2 V7.4.3 V7.4.4 V7.4.5 V7.5.1 V7.5.2 V7.6.1 V7.6.2
V8.1.2 V8.2.3 V8.4.1 V9.2.2 V9.2.3 V9.2.4 V10.1.1 V10.1.2 V10.2.1 V10.2.2 V10.3.1 V10.3.2 V10.3.3
V10.3.4 V10.4.6 V10.4.7 V10.4.8 V10.4.9 V10.4.10 V10.4.11 V10.5.1 V10.5.2 V10.5.3 V10.5.4 V10.5.5
V10.6.1 V10.6.2 V10.7.1 V10.7.2 V10.7.3 V11.1.1 V11.1.2 V11.2.1 V11.2.2 V11.2.3 V11.3.3 V11.4.2
V11.4.3 V11.4.4 V11.5.1 V11.6.1 V12.1.2 V12.1.3 V12.3.1 V12.3.2 V12.3.3 V12.3.4 V13.1.1 V13.2.1
V13.2.2 V13.2.3 V13.2.4 V13.2.5 V13.3.1 V13.3.2 V13.4.2 V13.4.3 V13.4.4 V13.4.5 V14.1.1 V14.1.2
V14.2.2 V14.2.3 V14.2.4 V14.3.2 V14.3.3 V15.1.2 V15.1.3 V15.2.2 V15.2.3 V15.3.2 V15.3.3 V15.3.4
V15.3.5 V15.3.6 V15.3.7 V16.1.1 V16.2.1 V16.2.2 V16.2.3 V16.2.4 V16.2.5 V16.3.1 V16.3.2 V16.3.3
V16.3.4 V16.4.1 V16.4.2 V16.4.3 V16.5.1 V16.5.2 V16.5.3 V17.1.1 V17.2.1 V17.2.2 V17.2.3 V17.2.4
V17.3.1 V17.3.2
""".split()
# The test plan's cases are numbered 1 to 52 through its sections A to G.
PLAN_SECTIONS = {
    "A": (1, 8),
    "B": (9, 18),
    "C": (19, 26),
    "D": (27, 36),
    "E": (37, 43),
    "F": (44, 47),
    "G": (48, 52),
}
MAX_TITLE = 80
DOCUMENT = re.compile(r"docs/security/[a-z0-9-]+\.md#[a-z0-9-]+")
HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)


def _load_trace_module():
    spec = importlib.util.spec_from_file_location("asvs_trace", ROOT / "docs" / "security" / "trace.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


trace_module = _load_trace_module()


@pytest.fixture(scope="module")
def trace() -> dict:
    return trace_module.load()


def entries(trace: dict) -> list[tuple[str, dict]]:
    return [*trace["requirements"].items(), *trace["cases"].items()]


def test_every_level_1_and_2_requirement_is_traced_once_at_its_level(trace):
    requirements = trace["requirements"]
    assert len(LEVEL_1) + len(LEVEL_2) == trace["standard"]["requirements"] == 253
    published = set(LEVEL_1 + LEVEL_2)
    assert sorted(published - set(requirements)) == [], "missing"
    assert sorted(set(requirements) - published) == [], "not a level 1 or 2 requirement"
    levels = {**dict.fromkeys(LEVEL_1, 1), **dict.fromkeys(LEVEL_2, 2)}
    assert {key: e["level"] for key, e in requirements.items() if e["level"] != levels[key]} == {}


def test_every_case_of_the_test_plan_is_traced(trace):
    expected = {
        f"{letter}{n}" for letter, (first, last) in PLAN_SECTIONS.items() for n in range(first, last + 1)
    }
    assert set(trace["cases"]) == expected


def problems_of(key: str, entry: dict) -> list[str]:
    """What a reader could not rely on in one entry."""
    status = entry.get("status")
    found = []
    if not 0 < len(entry.get("title", "")) <= MAX_TITLE:
        found.append("a short title")
    if status not in trace_module.STATUSES:
        return [*found, f"an unknown status {status!r}"]
    if status == "met" and not (entry.get("tests") or entry.get("docs")):
        found.append("met, but names no test and no document")
    if status == "met" and {"gap", "missing", "reason"} & set(entry):
        found.append("met, yet says what is missing or why not")
    if status == "n/a" and not entry.get("reason"):
        found.append("n/a without a reason")
    if status == "not-met":
        if entry.get("gap") not in trace_module.GAPS or not entry.get("missing"):
            found.append("not-met without a known gap and what is missing")
        elif (entry["gap"] == "pending") != entry["missing"].startswith("pending: "):
            found.append("pending work is the gap exactly when `missing` starts with 'pending: '")
    tests = entry.get("tests", [])
    if len(set(tests)) != len(tests) or not all(t.startswith("tests/") and "::" in t for t in tests):
        found.append("tests as distinct `tests/...::name` node ids")
    docs = entry.get("docs", [])
    if len(set(docs)) != len(docs) or not all(DOCUMENT.fullmatch(d) for d in docs):
        found.append("docs as distinct `docs/security/<page>.md#<anchor>` sections")
    return [f"{key}: {problem}" for problem in found]


def test_each_entry_says_what_proves_it_or_why_not(trace):
    assert [problem for key, entry in entries(trace) for problem in problems_of(key, entry)] == []


def collected(files: list[str]) -> set[str]:
    """Every test node id pytest collects from `files`, with and without its parameters."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    nodes = {line.strip() for line in result.stdout.splitlines() if "::" in line}
    return nodes | {node.split("[", 1)[0] for node in nodes}


def test_every_named_test_exists(trace):
    named = {test for _, entry in entries(trace) for test in entry.get("tests", [])}
    files = sorted({test.split("::", 1)[0] for test in named})
    missing_files = [path for path in files if not (ROOT / path).is_file()]
    assert missing_files == []
    assert sorted(named - collected(files)) == []


def test_every_named_document_section_exists(trace):
    named = {doc for _, entry in entries(trace) for doc in entry.get("docs", [])}
    missing = []
    for reference in sorted(named):
        path, anchor = reference.split("#", 1)
        page = ROOT / path
        headings = HEADING.findall(page.read_text(encoding="utf-8")) if page.is_file() else []
        if anchor not in {trace_module.slug(heading) for heading in headings}:
            missing.append(reference)
    assert missing == []


def test_the_readme_names_every_requirement_not_met(trace):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Not met yet, and why", 1)[1].split("\n## ", 1)[0]
    not_met = {rid for rid, entry in trace["requirements"].items() if entry["status"] == "not-met"}
    assert {rid for rid in not_met if f"`{rid}`" not in section} == set()
    assert f"{len(not_met)} are not met" in section


def test_the_page_is_current(trace):
    assert trace_module.PAGE.read_text(encoding="utf-8") == trace_module.render(trace), (
        "run `python docs/security/trace.py`"
    )
