"""Typed settings, loaded once from the environment (prefix ``PILEHUB_``)."""

from __future__ import annotations

from datetime import time, timedelta
from enum import StrEnum
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


# No access token lives longer: a leaked one is worth little, and a verifier can refuse any
# token whose `exp` lies further ahead.
MAX_ACCESS_TOKEN_TTL = timedelta(minutes=10)


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TESTING = "testing"
    PRODUCTION = "production"


class ColourRules(BaseModel):
    """Board colour thresholds (architecture page, "Board colour")."""

    offline_grace: timedelta = timedelta(minutes=10)
    red_after_fault: timedelta = timedelta(hours=24)
    repeated_fault_count: int = Field(default=3, ge=1)
    repeated_fault_window: timedelta = timedelta(days=7)
    # Alerts follow the colours: opened on yellow or red, escalated to red with the pile.
    # On recovery to green an alert resolves itself (unless this is off, leaving it to
    # staff); a pile that fails again within `alert_reopen_window` of such a recovery
    # reopens the same alert instead of raising a new one (flap suppression).
    auto_resolve_alerts: bool = True
    alert_reopen_window: timedelta = timedelta(minutes=10)


class TouWindow(BaseModel):
    """A time-of-use period: it starts at `start` (local time of day) and runs until the next
    period's start, wrapping over midnight."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,11}$")
    start: time


class EnergySettings(BaseModel):
    """Energy rollups and analytics.

    The periods are configuration, not code (beixinjing.yaml: Shanghai residential 峰
    06:00–22:00, 谷 22:00–06:00). Rollups are cut with the periods in force when a session is
    written, so changing them needs a rebuild of the rollups (`pilehub energy rebuild`).
    """

    time_of_use: tuple[TouWindow, ...] = (
        TouWindow(name="peak", start=time(6, 0)),
        TouWindow(name="valley", start=time(22, 0)),
    )
    # The period whose load the off-peak guidance tries to move, and where it moves it to.
    peak_period: str = "peak"
    valley_period: str = "valley"
    # Range caps of the analytics endpoints (a wider range answers 422).
    max_days: int = Field(default=400, ge=1)
    max_months: int = Field(default=36, ge=1)
    # Off-peak guidance: an hour of the week is congested when its occupancy is at least
    # this; a window has room when occupancy stays at or below `room_occupancy`.
    congested_occupancy: float = Field(default=0.6, gt=0, le=1)
    room_occupancy: float = Field(default=0.25, ge=0, lt=1)
    # A share of time (uptime, reliability, occupancy, idle share, siting pressure) is stated
    # only when at least this share of its range up to now was observed; below it the figure
    # is null with the reason `insufficient-coverage` (the unseen part could hold anything).
    min_coverage: float = Field(default=0.5, gt=0, le=1)

    @model_validator(mode="after")
    def _periods_are_a_partition(self) -> EnergySettings:
        starts = [window.start for window in self.time_of_use]
        names = [window.name for window in self.time_of_use]
        if not starts or len(set(starts)) != len(starts) or len(set(names)) != len(names):
            raise ValueError("time_of_use needs at least one period, distinct starts and names")
        if any(window.start.second or window.start.microsecond for window in self.time_of_use):
            raise ValueError("time_of_use periods start on a whole minute")
        for period in (self.peak_period, self.valley_period):
            if period not in names:
                raise ValueError(f"{period!r} is not one of the time_of_use periods")
        return self


# Development only: a fixed key so `make demo` works out of the box. Refused in production.
DEV_SECRET_KEY = "pilehub-development-only-key-change-me"


class RateLimit(BaseModel):
    per_second: float = Field(gt=0)
    burst: int = Field(ge=1)


class WebhookSettings(BaseModel):
    """Delivery of webhooks and group-robot messages (app/webhooks/)."""

    # Networks exempt from the SSRF guard (and allowed plain http on any port): empty in
    # production; the demo and the tests add loopback for their local receivers.
    allowed_networks: list[IPv4Network | IPv6Network] = []
    # Retry delays after each failed attempt, each jittered by +-`jitter`; after the last the
    # delivery is dead-lettered. Must span a day even at the low end of the jitter.
    retry_schedule: list[timedelta] = [
        timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2),
        timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2),
        timedelta(hours=4), timedelta(hours=8), timedelta(hours=12), timedelta(hours=12),
    ]  # fmt: skip
    jitter: float = Field(default=0.2, ge=0, lt=1)
    # A receiver's Retry-After is honoured up to this long.
    retry_after_cap: timedelta = timedelta(hours=1)
    timeout: timedelta = Field(default=timedelta(seconds=10), gt=timedelta(0))
    # Bytes of a response body read at most (WeCom answers are tiny; nothing else is read).
    max_response_bytes: int = Field(default=64 * 1024, ge=1024)
    poll_interval: timedelta = Field(default=timedelta(milliseconds=100), gt=timedelta(0))
    # How long a gap in change_event ids may be waited for (an uncommitted transaction on
    # PostgreSQL) before it is taken as rolled back; as in app/events/feed.py.
    gap_timeout: timedelta = timedelta(seconds=2)
    concurrency: int = Field(default=8, ge=1, le=64)
    # An endpoint whose every attempt has failed for this long is disabled (Svix: 5 days).
    disable_after: timedelta = Field(default=timedelta(days=5), gt=timedelta(0))
    # How long rotated-out secrets keep signing alongside the new one.
    rotation_overlap: timedelta = timedelta(hours=24)
    # Group robots: at most this many messages per robot per minute (WeCom's limit).
    robot_per_minute: int = Field(default=20, ge=1, le=20)
    # Group robots are not told of an alert change that was already older than this when the
    # hub logged it (a backfill or a late batch of operator history is no news for a group
    # chat; webhooks, events and the alert list still carry it). None: no limit.
    robot_max_age: timedelta | None = Field(default=None, gt=timedelta(0))

    @model_validator(mode="after")
    def _schedule_spans_a_day(self) -> WebhookSettings:
        if sum(self.retry_schedule, timedelta(0)) * (1 - self.jitter) < timedelta(days=1):
            raise ValueError("the webhook retry schedule must span at least a day")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PILEHUB_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Environment = Environment.DEVELOPMENT
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'pilehub.db'}"
    # The SQL echo is for debugging a query, never for production logs.
    database_echo: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    # JSON lines for machines; None picks JSON outside development.
    log_json: bool | None = None
    access_log: bool = True
    colour: ColourRules = ColourRules()
    energy: EnergySettings = EnergySettings()
    # How often the worker re-evaluates time-dependent colours (offline grace, 24 h fault).
    colour_sweep_interval: timedelta = timedelta(seconds=30)
    # How often the worker looks for operators due for a pull (each has its own interval).
    ingest_tick_interval: timedelta = timedelta(seconds=10)
    # Wait this long after the worker starts before the first pull (the demo lets the
    # simulator's first pushes land first; see app/demo/process.py).
    ingest_start_delay: timedelta = timedelta(0)
    # The city the hub serves: the root of every client's area.
    city_code: str = "310000"
    # How far behind the change log a board or map snapshot may be in each API process.
    snapshot_max_age: timedelta = timedelta(milliseconds=250)
    # Above this many piles the board carries counts only (a city has ~100,000 piles).
    board_max_piles: int = Field(default=5000, ge=1)

    # Encrypts operator secrets at rest (Fernet key derived from it). Set it in production.
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    # The hub's own T/CEC OperatorID, sent when it calls operators (9 characters).
    hub_operator_id: str = Field(default="PILEHUB01", min_length=9, max_length=9)
    # Lifetime of AccessTokens the hub issues to operators; the protocol caps it at 7 days.
    operator_token_ttl: timedelta = Field(
        default=timedelta(hours=2), gt=timedelta(0), le=timedelta(days=7)
    )
    # How long each API process trusts a cached operator key or confirmed token; a changed
    # secret or a new connection takes effect everywhere within this.
    operator_cache_ttl: timedelta = timedelta(seconds=30)
    # Reports stamped further than this in the future are refused (clock skew allowance).
    max_clock_skew: timedelta = timedelta(minutes=10)

    # OAuth2 (the hub is its own authorization server). The issuer is the hub's public base
    # URL as clients see it; tokens are for `token_audience` only.
    issuer: str = "http://127.0.0.1:8000"
    token_audience: str = "pilehub-api"
    access_token_ttl: timedelta = Field(
        default=MAX_ACCESS_TOKEN_TTL, ge=timedelta(seconds=30), le=MAX_ACCESS_TOKEN_TTL
    )
    # Clock skew allowed on exp / nbf / iat of access tokens and client assertions.
    token_leeway: timedelta = Field(default=timedelta(seconds=30), le=timedelta(seconds=60))
    # How often each API process re-reads disabled clients, the token denylist and the
    # signing keys: a revocation takes effect everywhere within this (the issue asks 15 s).
    auth_refresh_interval: timedelta = Field(default=timedelta(seconds=5), le=timedelta(seconds=15))
    # Requests per second (sustained, and burst) per client, at the token endpoint and on
    # the API; beyond them 429 with Retry-After.
    # Server-sent events: how often each API process polls the change log when no NOTIFY
    # woke it (always, on SQLite), and how often an idle stream gets a heartbeat comment.
    event_poll_interval: timedelta = Field(
        default=timedelta(milliseconds=100), gt=timedelta(0), le=timedelta(seconds=5)
    )
    sse_heartbeat: timedelta = Field(default=timedelta(seconds=15), gt=timedelta(0))
    # GraphQL limits, checked while a document is parsed and validated (before any resolver).
    graphql_max_depth: int = Field(default=8, ge=1)
    graphql_max_aliases: int = Field(default=15, ge=0)
    graphql_max_tokens: int = Field(default=2000, ge=10)
    graphql_max_body: int = Field(default=64 * 1024, ge=1024)  # bytes of a POST body
    graphql_max_subscriptions: int = Field(default=10, ge=1)  # per WebSocket connection
    # Answers to repeated queries, per process, keyed by caller area and data version.
    graphql_cache_entries: int = Field(default=512, ge=0)
    # Where `pilehub demo` writes its ready-made client credentials (for scripts).
    demo_clients_file: Path = PROJECT_ROOT / "var" / "demo-clients.json"
    webhooks: WebhookSettings = WebhookSettings()
    token_rate: RateLimit = RateLimit(per_second=2.0, burst=10)
    api_rate: RateLimit = RateLimit(per_second=50.0, burst=200)

    @model_validator(mode="after")
    def _no_development_secrets_in_production(self) -> Settings:
        if self.env is Environment.PRODUCTION and (
            self.secret_key.get_secret_value() == DEV_SECRET_KEY
        ):
            raise ValueError("PILEHUB_SECRET_KEY must be set in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def json_logs(self) -> bool:
        if self.log_json is not None:
            return self.log_json
        return self.env is not Environment.DEVELOPMENT


@lru_cache
def get_settings() -> Settings:
    return Settings()
