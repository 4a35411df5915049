"""Settings: defaults, then instance/portal.toml, then PORTAL_* environment variables, then overrides.

Every value is checked here, so a wrong one stops start-up with a message that names it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from portal.core.credentials import guessable, guessable_in_url

if TYPE_CHECKING:
    from storage_backends import Option

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ZONES = ("public", "staff")
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")
# Days each kind is kept (from its last change, or its day for daily reports), and how long a
# soft-deleted item waits before `portal retention purge` destroys it.
RETENTION_DEFAULTS = {
    "retention_records_days": 1827,
    "retention_attachments_days": 1827,
    "retention_daily_reports_days": 1096,
    "retention_documents_days": 1827,
    "retention_exports_days": 30,
    "retention_deleted_days": 30,
}
RETENTION_MAX_DAYS = 36525
# The bureaus that lend staff to the subsidy work (the support ledger), and the one they lend to.
DEFAULT_BUREAUS = (
    "産業観光局",
    "環境政策局",
    "行財政局",
    "総合企画局",
    "都市計画局",
    "建設局",
    "会計室",
    "人事委員会事務局",
    "監査事務局",
)
BUREAU_NAME_MAX = 40
WAITING_OFFER_MAX_HOURS = 168  # a place offered from the waiting list is held a week at most
UPLOAD_ABANDON_MAX_HOURS = 24 * 30  # an upload left unfinished is swept within a month at most
HOST_NAME = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*")


class ConfigError(Exception):
    """A setting has a value the portal cannot run with."""


class StorageOptions(Mapping[str, Any]):
    """One backend's option values as its constructor takes them; secret ones stay out of repr."""

    def __init__(self, values: Mapping[str, Any], secret: frozenset[str] = frozenset()) -> None:
        self._values = dict(values)
        self._secret = secret

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}" for name, value in self._values.items() if name not in self._secret
        )
        return f"StorageOptions({shown})"


@dataclass(frozen=True)
class Settings:
    """The portal's configuration, one attribute per PORTAL_* variable (storage backends' under `storage`)."""

    zone: str
    instance_path: Path
    database_url: str
    public_database_url: str
    storage_backend: str
    # Every registered backend's options by backend name; the public zone stores no files and has none.
    storage: Mapping[str, StorageOptions] = field(hash=False)
    key_dir: Path
    seal_public_key: Path
    secret_key: str = field(repr=False)
    staff_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    trusted_proxies: int
    proxy_address: str
    session_idle_minutes: int
    session_lifetime_hours: int
    audit_anchor: Path
    upload_max_bytes: int
    upload_abandon_hours: int
    allow_legacy_office: bool
    ratelimit_storage: str
    booking_rate_limit: str
    centre_phone: str
    change_cutoff: time
    waiting_offer_hours: int
    public_url: str
    staff_url: str
    extra_hosts: tuple[str, ...]
    smtp_host: str
    smtp_port: int
    smtp_from: str
    smtp_starttls: bool
    smtp_user: str
    smtp_password: str = field(repr=False)
    database_pool_size: int
    calendar_cache_bytes: int
    retention_records_days: int
    retention_attachments_days: int
    retention_daily_reports_days: int
    retention_documents_days: int
    retention_exports_days: int
    retention_deleted_days: int
    bureaus: tuple[str, ...]
    home_bureau: str
    metrics_token: str = field(repr=False)
    vulnerability_db: Path | None  # an OSV export for PyPI, read by `portal dependencies audit`

    @property
    def public_home(self) -> Path:
        """The public zone's own folder: its store, settings, cookie key and sealing key copy.

        It is apart from the staff files so that the public process can be given this folder
        alone (SQLite needs to write beside its database file).
        """
        return public_home(self.instance_path)

    @property
    def own_url(self) -> str:
        """The address this zone is published at: its absolute links, and the host name it answers to."""
        return self.public_url if self.zone == "public" else self.staff_url

    @property
    def trusted_hosts(self) -> tuple[str, ...]:
        """Every host name a request to this zone may name (Flask's TRUSTED_HOSTS)."""
        return (urlsplit(self.own_url).hostname or "", *self.extra_hosts)

    def storage_options(self, backend: str) -> StorageOptions:
        """The options `backend` is built with, read from its own PORTAL_* variables."""
        try:
            return self.storage[backend]
        except KeyError:
            known = ", ".join(self.storage) or "none in this zone"
            raise ConfigError(
                f"PORTAL_STORAGE_BACKEND={backend}: not a storage backend; known: {known}"
            ) from None

    def secret_key_file(self) -> Path:
        """Where `portal init` keeps this zone's cookie-signing key when none is configured."""
        if self.zone == "public":
            return self.public_home / "secret.key"
        return self.instance_path / "staff-secret.key"


def public_home(instance_path: Path) -> Path:
    """The public zone's folder inside the instance folder."""
    return instance_path / "public"


def settings_file(zone: str, instance_path: Path) -> Path:
    """Each zone reads its own portal.toml: the staff one may hold secrets the public zone must not see."""
    return (public_home(instance_path) if zone == "public" else instance_path) / "portal.toml"


def _env_name(name: str) -> str:
    return f"PORTAL_{name.upper()}"


def _parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ConfigError(f"{_env_name(name)}: expected true or false, got {value!r}")


def _parse_int(name: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{_env_name(name)}: expected a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{_env_name(name)}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{_env_name(name)}: must be at most {maximum}, got {number}")
    return number


def _parse_networks(name: str, value: Any) -> tuple:
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    networks = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"{_env_name(name)}: {item!r} is not a network in CIDR form") from None
    if not networks:
        raise ConfigError(f"{_env_name(name)}: at least one network is required")
    return tuple(networks)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{_env_name(name)}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _database_url(name: str, value: str) -> str:
    scheme = value.split(":", 1)[0]
    if scheme not in DATABASE_SCHEMES or "://" not in value:
        raise ConfigError(f"{_env_name(name)}: {value!r} is not a sqlite:/// or postgresql:// URL")
    return value


def _same_kind(database_url: str, public_database_url: str) -> None:
    """The staff zone reaches the public store beside its own, so both are SQLite or both PostgreSQL."""

    def is_sqlite(url: str) -> bool:
        return url.startswith("sqlite:")

    if is_sqlite(database_url) != is_sqlite(public_database_url):
        raise ConfigError(
            "PORTAL_PUBLIC_DATABASE_URL: must be SQLite when PORTAL_DATABASE_URL is, and PostgreSQL "
            "(a schema in the same database) when it is PostgreSQL"
        )


def _clock_time(name: str, value: Any) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{_env_name(name)}: expected a time such as 17:00, got {value!r}") from None


def _metrics_token(name: str, value: Any) -> str:
    """Empty (no metrics served), or long enough that nobody guesses it."""
    token = str(value)
    if token and len(token) < 32:
        raise ConfigError(f"{_env_name(name)}: must be at least 32 characters (or empty: no metrics)")
    return token


def _base_url(name: str, value: Any) -> str:
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"{_env_name(name)}: expected an http(s) address such as https://example.jp, got {value!r}"
        )
    if ":" in (parts.hostname or ""):
        raise ConfigError(f"{_env_name(name)}: an IPv6 address cannot be checked as a Host; use a name")
    return text


def _host_names(name: str, value: Any) -> tuple[str, ...]:
    """Host names without port, in IDNA form; a leading dot stands for every subdomain."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    hosts = []
    for item in (str(i).strip().lower() for i in items):
        if not item:
            continue
        dot, host = ("." if item.startswith(".") else ""), item.removeprefix(".")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = ""
        if not HOST_NAME.fullmatch(host):
            raise ConfigError(f"{_env_name(name)}: {item!r} is not a host name (no scheme, port or IPv6)")
        hosts.append(dot + host)
    return tuple(hosts)


def _proxy_address(name: str, value: Any) -> str:
    text = str(value).strip()
    if text == "*":
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ConfigError(f"{_env_name(name)}: expected an IP address or *, got {value!r}") from None


def _mail_address(name: str, value: Any) -> str:
    text = str(value)
    _display, address = parseaddr(text)
    if "@" not in address or any(c in text for c in "\r\n"):
        raise ConfigError(f"{_env_name(name)}: {value!r} is not an email address")
    try:
        Address(addr_spec=address)
    except (ValueError, IndexError):
        raise ConfigError(f"{_env_name(name)}: {value!r} is not an email address") from None
    return text


def _bureau_names(name: str, value: Any) -> tuple[str, ...]:
    """A comma-separated list (or a TOML list) of distinct names, each as the ledger can store it."""
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    names = tuple(str(item).strip() for item in items if str(item).strip())
    if not names:
        raise ConfigError(f"{_env_name(name)}: at least one bureau is required")
    if len(set(names)) != len(names):
        raise ConfigError(f"{_env_name(name)}: a bureau is named twice")
    too_long = [bureau for bureau in names if len(bureau) > BUREAU_NAME_MAX]
    if too_long:
        raise ConfigError(f"{_env_name(name)}: {too_long[0]!r} is longer than {BUREAU_NAME_MAX} characters")
    return names


def _home_bureau(name: str, value: Any, bureaus: tuple[str, ...]) -> str:
    text = str(value).strip()
    if text not in bureaus:
        raise ConfigError(f"{_env_name(name)}: {text!r} is not one of PORTAL_BUREAUS")
    return text


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    return {str(key).lower(): value for key, value in data.items()}


def _read_secret_file(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"PORTAL_SECRET_KEY is not set and {path} does not exist: run `portal init`"
        ) from None


def _registered_options() -> dict[str, tuple[Option, ...]]:
    """Each registered backend's declared options."""
    # Imported here, not above: the public zone stores no files and must not load storage code.
    from storage_backends import REGISTRY, backend_class

    return {name: backend_class(name).OPTIONS for name in REGISTRY}


COMMON_NAMES = tuple(f.name for f in fields(Settings) if f.name not in ("zone", "storage_backend", "storage"))
OPTION_PARSERS: dict[type, Callable[[str, Any], Any]] = {
    str: lambda name, value: str(value),
    bool: _parse_bool,
    int: lambda name, value: _parse_int(name, value, 0),
    Path: lambda name, value: Path(value),
}


def setting_names(zone: str) -> tuple[str, ...]:
    """Every setting `zone` reads; storage ones (each registered backend's) only in the staff zone."""
    if zone != "staff":
        return COMMON_NAMES
    storage = [o.setting_for(name) for name, options in _registered_options().items() for o in options]
    return (*COMMON_NAMES, "storage_backend", *storage)


def _storage_settings(get: Callable[[str, Any], Any], instance_path: Path) -> dict[str, StorageOptions]:
    """Every registered backend's options, checked now so that a wrong one stops start-up."""
    storage = {}
    for backend, options in _registered_options().items():
        values = {}
        for option in options:
            setting = option.setting_for(backend)
            default = instance_path / option.default if option.kind is Path else option.default
            values[option.name] = OPTION_PARSERS[option.kind](setting, get(setting, default))
        storage[backend] = StorageOptions(values, frozenset(o.name for o in options if o.secret))
    return storage


def load_settings(zone: str, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Resolve every setting for one zone and validate it."""
    if zone not in ZONES:
        raise ConfigError(f"zone must be one of {', '.join(ZONES)}, got {zone!r}")
    names = setting_names(zone)
    given = {key.lower(): value for key, value in (overrides or {}).items()}
    unknown = set(given) - set(names)
    if unknown:
        raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")

    instance_path = Path(
        given.get("instance_path") or os.environ.get("PORTAL_INSTANCE_PATH") or PROJECT_ROOT / "instance"
    )
    toml_path = settings_file(zone, instance_path)
    raw: dict[str, Any] = _read_toml(toml_path)
    unknown = set(raw) - set(names)
    if unknown:
        raise ConfigError(f"{toml_path}: unknown settings {sorted(unknown)}")
    for name in names:
        if _env_name(name) in os.environ:
            raw[name] = os.environ[_env_name(name)]
    raw.update(given)

    def get(name: str, default: Any) -> Any:
        value = raw.get(name)
        return default if value in (None, "") else value

    key_dir = Path(get("key_dir", instance_path / "keys"))
    if zone == "staff":
        storage = _storage_settings(get, instance_path)
        storage_backend = _choice("storage_backend", get("storage_backend", "local"), tuple(storage))
    else:
        storage, storage_backend = {}, ""
    bureaus = _bureau_names("bureaus", get("bureaus", DEFAULT_BUREAUS))
    settings = Settings(
        zone=zone,
        instance_path=instance_path,
        database_url=_database_url(
            "database_url", get("database_url", f"sqlite:///{instance_path / 'portal.db'}")
        ),
        public_database_url=_database_url(
            "public_database_url",
            get("public_database_url", f"sqlite:///{public_home(instance_path) / 'public.db'}"),
        ),
        storage_backend=storage_backend,
        storage=MappingProxyType(storage),
        key_dir=key_dir,
        seal_public_key=Path(get("seal_public_key", key_dir / "seal.pub")),
        secret_key=str(get("secret_key", "")),
        staff_networks=_parse_networks("staff_networks", get("staff_networks", "127.0.0.0/8,::1/128")),
        trusted_proxies=_parse_int("trusted_proxies", get("trusted_proxies", 0), 0),
        proxy_address=_proxy_address("proxy_address", get("proxy_address", "127.0.0.1")),
        session_idle_minutes=_parse_int("session_idle_minutes", get("session_idle_minutes", 30), 1),
        session_lifetime_hours=_parse_int("session_lifetime_hours", get("session_lifetime_hours", 12), 1),
        audit_anchor=Path(get("audit_anchor", instance_path / "audit-anchor.log")),
        upload_max_bytes=_parse_int("upload_max_bytes", get("upload_max_bytes", 2 * 1024**3), 1024),
        upload_abandon_hours=_parse_int(
            "upload_abandon_hours", get("upload_abandon_hours", 24), 1, UPLOAD_ABANDON_MAX_HOURS
        ),
        allow_legacy_office=_parse_bool("allow_legacy_office", get("allow_legacy_office", False)),
        ratelimit_storage=str(get("ratelimit_storage", "memory://")),
        booking_rate_limit=str(get("booking_rate_limit", "5 per minute;30 per hour")),
        centre_phone=str(get("centre_phone", "0120-000-000")),
        change_cutoff=_clock_time("change_cutoff", get("change_cutoff", "17:00")),
        waiting_offer_hours=_parse_int(
            "waiting_offer_hours", get("waiting_offer_hours", 24), 1, WAITING_OFFER_MAX_HOURS
        ),
        public_url=_base_url("public_url", get("public_url", "http://127.0.0.1:8000")),
        staff_url=_base_url("staff_url", get("staff_url", "http://127.0.0.1:8001")),
        extra_hosts=_host_names("extra_hosts", get("extra_hosts", "")),
        smtp_host=str(get("smtp_host", "")),
        smtp_port=_parse_int("smtp_port", get("smtp_port", 587), 1),
        smtp_from=_mail_address("smtp_from", get("smtp_from", "madoguchi@example.jp")),
        smtp_starttls=_parse_bool("smtp_starttls", get("smtp_starttls", True)),
        smtp_user=str(get("smtp_user", "")),
        smtp_password=str(get("smtp_password", "")),
        database_pool_size=_parse_int("database_pool_size", get("database_pool_size", 16), 1),
        calendar_cache_bytes=_parse_int(
            "calendar_cache_bytes", get("calendar_cache_bytes", 32 * 1024 * 1024), 0
        ),
        **{
            name: _parse_int(name, get(name, default), 1, RETENTION_MAX_DAYS)
            for name, default in RETENTION_DEFAULTS.items()
        },
        bureaus=bureaus,
        home_bureau=_home_bureau("home_bureau", get("home_bureau", "産業観光局"), bureaus),
        metrics_token=_metrics_token("metrics_token", get("metrics_token", "")),
        vulnerability_db=Path(get("vulnerability_db", "")) if get("vulnerability_db", "") else None,
    )
    _refuse_guessable_credentials(settings)
    if zone == "staff":
        _same_kind(settings.database_url, settings.public_database_url)
    return settings


def _refuse_guessable_credentials(settings: Settings) -> None:
    """A backend login anyone could guess stops start-up (storage backends: when they are opened)."""
    for name in ("database_url", "public_database_url", "ratelimit_storage"):
        problem = guessable_in_url(getattr(settings, name))
        if problem:
            raise ConfigError(f"{_env_name(name)}: {problem}; give the account a password of its own")
    if settings.smtp_user:
        problem = guessable(settings.smtp_password, settings.smtp_user)
        if problem:
            raise ConfigError(f"PORTAL_SMTP_PASSWORD: {problem}; give the account a password of its own")


def require_secret_key(settings: Settings) -> str:
    """The zone's cookie-signing key: the configured value, else the file `portal init` wrote."""
    secret = settings.secret_key or _read_secret_file(settings.secret_key_file())
    if len(secret) < 32:
        raise ConfigError("PORTAL_SECRET_KEY: must be at least 32 characters")
    return secret
