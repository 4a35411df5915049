"""The exposure self-test: the probe finds leaks the way a stranger would, from outside; the
portal keeps each check's runs, alerts the city and the administrators without personal data,
and shows the newest runs to them alone."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from urllib3 import HTTPHeaderDict

from portal.core.database import database
from portal.core.models import AuditEvent, Booking, CheckRun, StoredObject
from portal.core.models.base import utcnow
from portal.staff.self_checks.fetch import Answer
from portal.staff.self_checks.headers import cookie_problems, page_problems
from portal.staff.self_checks.leaks import STAFF_OBJECT_SHAPES, ids_to_try, is_directory_listing
from portal.staff.self_checks.links import robots_disallows_all
from portal.staff.self_checks.runs import Check, Finding, Severity, record
from portal.staff.self_checks.zones import zone_findings
from tests.conftest import POSTGRES_SCHEMA, change_settings
from tests.servers import serving
from tests.test_public_zone_compromised import public_role  # noqa: F401 - the role `portal db public-role` makes

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BOUNDS = ("--max-pages", "30")  # the crawl bounded: the point is what it finds, not how far it walks
LEAKED_NAME = "相談票_ひかりベーカリー_鈴木太郎.pdf"  # as the leaked files were: named after their business


def mail_to(smtp) -> dict:
    """Settings that send the portal's mail to the test SMTP server."""
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_starttls": False}


def _security_check(portal_cli, public: str, staff: str):
    return portal_cli("security-check", "--public-url", public, "--staff-url", staff, *BOUNDS)


def _seeded(config, portal_cli) -> None:
    assert portal_cli("demo-seed").exit_code == 0
    owner_only(config)


def _stored_file(staff_app) -> bytes:
    """The plaintext of one stored file (a record's attachment or a document of the demo)."""
    with staff_app.app_context(), database.connection_context():
        store = staff_app.extensions["portal.objects"]
        return b"".join(store.read(StoredObject.select().order_by(StoredObject.id).first()))


def broken(staff_app, leaked: bytes):
    """The staff app as a careless deployment leaves it: an uploads folder served beside it with a
    listing and a file's bytes, outside the gate, and the X-Robots-Tag header stripped by a proxy."""
    file_path = "/uploads/" + quote(LEAKED_NAME)

    def app(environ, start_response):
        path = quote(environ["PATH_INFO"].encode("latin-1").decode("utf-8"))
        if path == "/uploads/":
            listing = f'<html><title>Index of /uploads/</title><a href="{file_path}">{LEAKED_NAME}</a></html>'
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [listing.encode()]
        if path == file_path:
            start_response("200 OK", [("Content-Type", "application/pdf")])
            return [leaked]

        def without_robots_tag(status, headers, *rest):
            return start_response(status, [h for h in headers if h[0].lower() != "x-robots-tag"], *rest)

        return staff_app(environ, without_robots_tag)

    return app


def _serious(output: str) -> list[str]:
    """Each serious finding as printed: its title line and the URL below it."""
    lines = output.splitlines()
    return [f"{line} {lines[i + 1].strip()}" for i, line in enumerate(lines) if line.startswith("serious:")]


@SQLITE
def test_a_correct_deployment_shows_nothing_serious(config, staff_app, public_app, portal_cli):
    _seeded(config, portal_cli)
    with serving(public_app) as public, serving(staff_app) as staff:
        result = _security_check(portal_cli, public, staff)

    assert result.exit_code == 0, result.output
    assert "\n0 serious findings" in "\n" + result.output
    with staff_app.app_context():
        tried = {
            event.object_type for event in AuditEvent.select().where(AuditEvent.action == "request.denied")
        }
    assert {"records.view", "library.download", "admin.user_detail"} <= tried, "staff objects were guessed"


@SQLITE
def test_a_file_served_outside_the_gate_and_a_missing_noindex_are_serious(
    config, staff_app, public_app, portal_cli
):
    _seeded(config, portal_cli)
    with serving(public_app) as public, serving(broken(staff_app, _stored_file(staff_app))) as staff:
        result = _security_check(portal_cli, public, staff)

    assert result.exit_code == 1
    serious = _serious(result.output)
    assert f"serious: staff: leak path answers {staff}/uploads/" in serious
    assert f"serious: staff: directory listing {staff}/uploads/" in serious
    assert f"serious: staff: answers a stranger with content {staff}/uploads/[name withheld, sha256 " in (
        "\n".join(serious)
    )
    for kept in (result.output, _kept_findings(staff_app)):
        assert "鈴木" not in kept and quote("鈴木") not in kept, "a leaked file's name is never repeated"
    assert any(line.startswith("serious: staff: answer without X-Robots-Tag noindex") for line in serious)
    assert not [line for line in serious if f"{public}/" in line], "the public site is not at fault"


def _kept_findings(staff_app) -> str:
    with staff_app.app_context():
        return " ".join(run.findings for run in CheckRun.select())


def _answering(path: str, body: bytes = b"ref: refs/heads/main\n"):
    """A site that answers `path` (as it arrives, decoded) and is otherwise as strict as the staff site."""

    def app(environ, start_response):
        strict = [
            ("X-Robots-Tag", "noindex"),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if environ["PATH_INFO"] == "/robots.txt":
            start_response("200 OK", [*strict, ("Content-Type", "text/plain")])
            return [b"User-agent: *\nDisallow: /\n"]
        if environ["PATH_INFO"] == path:
            start_response("200 OK", [*strict, ("Content-Type", "application/octet-stream")])
            return [body]
        start_response("404 Not Found", [*strict, ("Content-Type", "text/plain")])
        return [b"not found"]

    return app


@pytest.mark.parametrize(
    ("path", "sent_as"),
    [
        ("/.git/HEAD", "/.git/HEAD"),
        ("/.env", "/.env"),
        ("/backup.tar.gz", "/backup.tar.gz"),
        ("/instance/public/public.db", "/instance/public/public.db"),
        ("/static/../../instance/portal.toml", "/static/..%2f..%2finstance%2fportal.toml"),
        ("/static/../../instance/portal.toml", "/static/%2e%2e/%2e%2e/instance/portal.toml"),
    ],
)
@SQLITE
def test_a_leak_path_on_either_host_is_serious(portal_cli, path, sent_as):
    with serving(_answering(path)) as site:
        result = _security_check(portal_cli, site, site)

    assert result.exit_code == 1
    for zone in ("public", "staff"):
        assert f"serious: {zone}: leak path answers {site}{sent_as}" in _serious(result.output)


@SQLITE
def test_a_site_that_answers_everything_is_no_leak_but_a_note(portal_cli):
    def everything(_environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html"), ("X-Content-Type-Options", "nosniff")])
        return [b"<html><p>Welcome</p></html>"]

    with serving(everything) as site, serving(_answering("/nothing")) as staff:
        result = _security_check(portal_cli, site, staff)

    assert result.exit_code == 0, result.output
    assert "note: public site answers 2xx to any unknown URL" in result.output
    assert "leak path" not in result.output


def test_usage_errors_exit_2(portal_cli):
    assert _security_check(portal_cli, "ftp://example.jp", "http://127.0.0.1:9").exit_code == 2
    assert portal_cli("security-check", "--public-url", "http://127.0.0.1:9").exit_code == 2


@SQLITE
def test_a_site_that_does_not_answer_is_serious(portal_cli):
    with serving(_answering("/nothing")) as up:
        pass
    result = _security_check(portal_cli, up, up)
    assert result.exit_code == 1
    assert f"serious: public site does not answer {up}" in _serious(result.output)


def test_robots_txt_must_shut_out_every_crawler():
    assert robots_disallows_all("User-agent: *\nDisallow: /\n")
    assert robots_disallows_all("User-agent: Googlebot\nUser-agent: *\nDisallow: /  # all\n")
    assert not robots_disallows_all("User-agent: Googlebot\nDisallow: /\n")
    assert not robots_disallows_all("User-agent: *\nDisallow: /records/\n")
    assert not robots_disallows_all("User-agent: *\nDisallow:\n")
    assert robots_disallows_all("User-agent: Bingbot\nAllow: /\n\nUser-agent: *\nDisallow: /\n")


def _answer(*headers: tuple[str, str]) -> Answer:
    return Answer("https://madoguchi.example.jp/login", 200, HTTPHeaderDict(headers), b"<html></html>")


def test_under_tls_a_cookie_needs_secure_and_the_staff_site_hsts():
    session = ("Set-Cookie", "madoguchi-staff=x; HttpOnly; Path=/; SameSite=Lax")
    page = ("Content-Type", "text/html")
    plain = [(p.severity, p.title) for p in cookie_problems(_answer(session), tls=False)]
    assert plain == []
    assert [(p.severity, p.title) for p in cookie_problems(_answer(session), tls=True)] == [
        (Severity.SERIOUS, "cookie without Secure over TLS")
    ]
    bare = [(p.severity, p.title) for p in cookie_problems(_answer(("Set-Cookie", "lang=en")), tls=False)]
    assert bare == [(Severity.SERIOUS, "cookie without HttpOnly"), (Severity.NOTE, "cookie without SameSite")]
    staff = [(p.severity, p.title) for p in page_problems(_answer(page), tls=True, hsts=Severity.SERIOUS)]
    assert (Severity.SERIOUS, "answer over https without HSTS") in staff
    assert (Severity.NOTE, "page without Content-Security-Policy") in staff
    sent = _answer(page, ("Strict-Transport-Security", "max-age=63072000"), ("Content-Security-Policy", "x"))
    assert [p.title for p in page_problems(sent, tls=True, hsts=Severity.SERIOUS)] == [
        "answer without nosniff"
    ]


def test_ids_seen_and_their_neighbours_are_tried_and_listings_are_recognised():
    assert ids_to_try(["/venues/41", "/sessions/7/waiting"], most=20) == [1, 2, 3, 40, 41, 42, 6, 7, 8]
    assert ids_to_try(["/venues/41"], most=4) == [1, 2, 3, 40]
    assert is_directory_listing("<html><title>Index of /uploads/</title>")
    assert is_directory_listing("<h1>Directory listing for /</h1>")
    assert not is_directory_listing("<html><title>相談記録の索引</title>")


def test_every_staff_route_that_takes_ids_is_guessed(staff_app):
    """The probe's shapes are the staff site's GET routes with ids, no more and no fewer (a uuid
    cannot be guessed: such links are tried when seen)."""
    shapes = set()
    for rule in staff_app.url_map.iter_rules():
        if "GET" in rule.methods and set(re.findall(r"<(\w+):", rule.rule)) == {"int"}:
            shapes.add(re.sub(r"<int:\w+>", "{id}", rule.rule))
    assert shapes == set(STAFF_OBJECT_SHAPES)


def owner_only(config: dict, mode: int = 0o600) -> None:
    """The staff database's files as `portal init` leaves them (its umask), or with `mode`."""
    staff_file = Path(config["DATABASE_URL"].removeprefix("sqlite:///"))
    for path in (staff_file, *staff_file.parent.glob(staff_file.name + "-*")):
        path.chmod(mode)


@SQLITE
def test_the_public_login_reaches_no_staff_table(config, staff_app):
    owner_only(config)
    with staff_app.app_context():
        settings = staff_app.config["PORTAL"]
        assert zone_findings(settings) == []

        change_settings(staff_app, public_database_url=settings.database_url)
        found = zone_findings(staff_app.config["PORTAL"])
    reached = {finding.evidence for finding in found if finding.severity == Severity.SERIOUS}
    assert {'"user"', '"audit_event"', '"consultation_record"', '"staff_session"'} <= reached


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_public_postgresql_role_reaches_no_staff_table_where_the_owners_login_would(
    request, config, staff_app
):
    with staff_app.app_context():
        change_settings(staff_app, public_database_url=request.getfixturevalue("public_role"))
        assert zone_findings(staff_app.config["PORTAL"]) == []

        change_settings(staff_app, public_database_url=config["PUBLIC_DATABASE_URL"])  # the owner's login
        reached = {finding.evidence for finding in zone_findings(staff_app.config["PORTAL"])}
    assert {f'"{POSTGRES_SCHEMA}"."user"', f'"{POSTGRES_SCHEMA}"."audit_event"'} <= reached


@SQLITE
def test_a_staff_database_file_other_users_may_read_is_serious(config, staff_app):
    owner_only(config, 0o644)
    with staff_app.app_context():
        found = zone_findings(staff_app.config["PORTAL"])
    assert next((f.severity, f.title, f.where.endswith("portal.db"), f.evidence) for f in found) == (
        Severity.SERIOUS,
        "the staff database file is open to other users",
        True,
        "0o644",
    )


def _seeded_people(staff_app) -> set[str]:
    """Every business's and visitor's name and address in the demo bookings, and the staff's."""
    unsealer = staff_app.extensions["portal.unsealer"]
    found = {"村上 美咲", "阿部 健", "city@example.jp", "admin@example.jp"}
    with staff_app.app_context():
        for booking in Booking.select():
            person = unsealer.open(booking.sealed)
            found |= {person["business_name"], person["contact_name"], person["email"], person["phone"]}
    return found - {""}


@SQLITE
def test_self_check_keeps_each_run_and_alerts_city_and_admin_without_personal_data(
    config, staff_app, public_app, portal_cli, smtp
):
    _seeded(config, portal_cli)
    with serving(public_app) as public, serving(broken(staff_app, _stored_file(staff_app))) as staff:
        change_settings(staff_app, public_url=public, staff_url=staff, **mail_to(smtp))
        result = portal_cli("self-check")

    assert result.exit_code == 1, result.output
    with staff_app.app_context():
        runs = {run.check: run for run in CheckRun.select()}
        assert set(runs) == set(Check)
        assert runs[Check.EXPOSURE].serious >= 3
        assert [runs[check].serious for check in (Check.STORAGE, Check.AUDIT_CHAIN, Check.ZONES)] == [0, 0, 0]
        assert AuditEvent.select().where(AuditEvent.action == "mail.self_check_alert").count() == 1
    assert sorted(message["To"] for message in smtp.messages) == ["admin@example.jp", "city@example.jp"]
    body = smtp.messages[0].get_content()
    assert "外部からの露出検査" in body and f"{runs[Check.EXPOSURE].serious}件" in body
    assert f"{staff}/self-checks/" in body
    assert "uploads" not in body and LEAKED_NAME not in body, "no finding's details"
    kept = _kept_findings(staff_app)
    assert "鈴木" not in kept and quote("鈴木") not in kept, "a leaked file's name is not kept either"
    people = _seeded_people(staff_app)
    assert len(people) > 100
    assert not [person for person in people if person in body or person in smtp.messages[0]["Subject"]]


@SQLITE
def test_self_check_after_a_clean_run_sends_nothing(config, staff_app, public_app, portal_cli, smtp):
    _seeded(config, portal_cli)
    with serving(public_app) as public, serving(staff_app) as staff:
        change_settings(staff_app, public_url=public, staff_url=staff, **mail_to(smtp))
        result = portal_cli("self-check")

    assert result.exit_code == 0, result.output
    assert smtp.messages == []
    with staff_app.app_context():
        assert (
            CheckRun.select().count() == len(Check)
            and not CheckRun.select().where(CheckRun.serious > 0).exists()
        )


def _runs(staff_app) -> None:
    """An exposure run with a serious finding, a clean storage run two days old (overdue), none else."""
    with staff_app.app_context():
        leak = Finding(
            Severity.SERIOUS, "staff: leak path answers", "http://madoguchi.example.jp/uploads/", "HTTP 200"
        )
        record(Check.EXPOSURE, utcnow(), [leak, Finding(Severity.NOTE, "public: page without CSP")])
        old = record(Check.STORAGE, utcnow(), [])
        two_days_ago = utcnow() - timedelta(days=2)
        CheckRun.update(started_at=two_days_ago, finished_at=two_days_ago).where(
            CheckRun.id == old.id
        ).execute()


@pytest.mark.parametrize("role", ["city", "admin"])
@SQLITE
def test_city_and_admin_see_the_newest_runs_at_home_and_every_finding_on_the_page(staff_app, signed_in, role):
    _runs(staff_app)
    client = signed_in(role)

    home = client.get("/").text
    panel = home.split('id="panel-self-checks"')[1].split("</section>")[0]
    assert "外部からの露出検査" in panel and "重大 1件" in panel and "注意 1件" in panel
    storage = panel.split("保存領域の設定")[1].split("</li>")[0]
    assert "重大な問題なし" in storage and "1日以上実行されていません" in storage
    assert panel.count("まだ実行されていません") == len(Check) - 2, "every check that has not run says so"

    page = client.get("/self-checks/")
    assert page.status_code == 200
    assert "http://madoguchi.example.jp/uploads/" in page.text and "public: page without CSP" in page.text
    assert 'href="/self-checks/"' in home, "a menu entry"
    with staff_app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "self_checks.view").count() == 1


@pytest.mark.parametrize("role", ["consultant", "operator"])
@SQLITE
def test_others_get_no_panel_and_the_unknown_url_404(staff_app, signed_in, client, role):
    _runs(staff_app)
    assert client.get("/self-checks/").status_code == 404
    walker = signed_in(role)
    assert walker.get("/self-checks/").status_code == 404
    assert "panel-self-checks" not in walker.get("/").text
