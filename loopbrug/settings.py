"""Configuration from the environment, read in one place.

Every process of the helpline (Rasa server, action server, web server, tests) takes its
settings from here. ``.env`` in the repository root is read when present; real environment
variables win over it. Nothing is read at import time: call ``load_settings()``.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, FrozenSet, Iterator, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
logger = logging.getLogger(__name__)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {raw!r}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "ja", "on"):
        return True
    if raw in ("0", "false", "no", "nee", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds; anything else is logged and ``default`` is used.

    Lenient on purpose (unlike ``_float``): a bad timeout must not stop the helpline.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        logger.error("%s must be a number of seconds; using %s", name, default)
        return default
    return value if value > 0 else default


def _optional(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name, "").strip()
    return value or None


def parse_origins(raw: Optional[str]) -> FrozenSet[str]:
    """Comma-separated web origins ("https://a.example, https://b.example/"), without a
    trailing slash; empty entries are skipped."""
    return frozenset(o.strip().rstrip("/") for o in (raw or "").split(",") if o.strip())


@dataclass(frozen=True)
class Settings:
    """All settings of the helpline, with the embedded defaults of the run contract."""

    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8080
    host: str = "127.0.0.1"
    # Where the action server binds when it is started on its own; `make run` (bot/serve.py)
    # always gives it ``host`` (child_environment).
    actions_host: str = "127.0.0.1"
    database_url: str = f"sqlite:///{VAR_DIR / 'loopbrug.db'}"
    redis_url: Optional[str] = None
    rasa_api_token: Optional[str] = None
    telegram_bot_token: Optional[str] = None
    telegram_webhook_secret: Optional[str] = None
    telegram_api_base_url: Optional[str] = None
    model_dir: Path = ROOT / "models"
    # How long Rasa waits for a custom action (bot/extensions/action_timeout.py): well below
    # Rasa's 60 s conversation lock, far above the channels' wait for the "slow" text
    # (connectors/reliability.py).
    action_timeout_s: float = 20.0
    # Key of the pseudonymous ids under which people's data is stored (loopbrug/db).
    pseudonym_key: Optional[str] = None
    # Other sites that embed the web widget and may call its API (CORS); none by default.
    widget_origins: FrozenSet[str] = frozenset()
    # Handoff to coaches (loopbrug/handoff/ and web/coach/).
    public_url: Optional[str] = None  # how coaches reach the inbox; default: the web port
    office_hours: str = "ma-vr 09:00-17:00"
    timezone: str = "Europe/Amsterdam"
    followup_days: float = 3.0  # "niet loslaten": ask after this many days whether contact happened
    followup_check_s: float = 60.0  # how often the follow-up job looks for due tickets
    # A live chat goes back to the bot when its coach did nothing with the ticket this long
    # (loopbrug/handoff/presence.py); checked by the same job.
    coach_idle_minutes: float = 15.0
    ticket_retention_days: int = 180  # told to the person before they agree to share
    conversation_retention_days: int = 90  # after the last message (loopbrug/privacy/)
    coach_telegram_chat_id: Optional[str] = None  # Telegram group that hears of new tickets
    # Mailing a person their profile (actions/profile_export.py); off unless host and From are set.
    smtp_host: Optional[str] = None
    smtp_port: int = 25
    smtp_from: Optional[str] = None
    smtp_user: Optional[str] = None
    smtp_password: Optional[str] = None
    smtp_starttls: bool = False
    # Shared by Rasa and the action server (bot/action_server.py): a new random one for every
    # start unless LOOPBRUG_ACTION_TOKEN is set (several machines must share it).
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # True when the token came from LOOPBRUG_ACTION_TOKEN: an action server started with a
    # made-up one could never be reached, so it refuses to start instead.
    action_token_set: bool = False

    @property
    def inbox_url(self) -> str:
        """Base URL of the coach inbox, for links in notifications."""
        base = self.public_url or f"http://{self.host}:{self.web_port}"
        return base.rstrip("/") + "/coach"

    @property
    def mail_configured(self) -> bool:
        """True when the helpline can send e-mail (an SMTP host and a From address)."""
        return bool(self.smtp_host and self.smtp_from)

    @property
    def action_endpoint_url(self) -> str:
        """Where Rasa reaches the action server."""
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://{self.host}:{self.rasa_port}"

    def child_environment(self, base: Mapping[str, str]) -> dict:
        """Environment for the processes we start, with every default filled in."""
        env = dict(base)
        env.update(
            {
                "RASA_PORT": str(self.rasa_port),
                "ACTIONS_PORT": str(self.actions_port),
                "WEB_PORT": str(self.web_port),
                "DATABASE_URL": self.database_url,
                "ACTION_ENDPOINT_URL": self.action_endpoint_url,
                "LOOPBRUG_ACTION_TOKEN": self.action_token,
                # rasa-sdk binds to SANIC_HOST; keep the action server off public interfaces.
                "SANIC_HOST": self.host,
                "LOOPBRUG_OFFICE_HOURS": self.office_hours,
                "LOOPBRUG_TIMEZONE": self.timezone,
                "LOOPBRUG_FOLLOWUP_DAYS": repr(self.followup_days),
                "LOOPBRUG_FOLLOWUP_CHECK_S": repr(self.followup_check_s),
                "LOOPBRUG_COACH_IDLE_MINUTES": repr(self.coach_idle_minutes),
                "LOOPBRUG_TICKET_RETENTION_DAYS": str(self.ticket_retention_days),
                "LOOPBRUG_CONVERSATION_RETENTION_DAYS": str(self.conversation_retention_days),
                "LOOPBRUG_SMTP_PORT": str(self.smtp_port),
                "LOOPBRUG_SMTP_STARTTLS": "true" if self.smtp_starttls else "false",
                "LOOPBRUG_ACTION_TIMEOUT_S": repr(self.action_timeout_s),
            }
        )
        # Optional ones, when set (they may come from .env or a test's Settings, not the shell).
        for name, value in (
            ("TELEGRAM_BOT_TOKEN", self.telegram_bot_token),
            ("TELEGRAM_WEBHOOK_SECRET", self.telegram_webhook_secret),
            ("TELEGRAM_API_BASE_URL", self.telegram_api_base_url),
            ("RASA_API_TOKEN", self.rasa_api_token),
            ("LOOPBRUG_PUBLIC_URL", self.public_url),
            ("LOOPBRUG_COACH_TELEGRAM_CHAT_ID", self.coach_telegram_chat_id),
            ("LOOPBRUG_SMTP_HOST", self.smtp_host),
            ("LOOPBRUG_SMTP_FROM", self.smtp_from),
            ("LOOPBRUG_SMTP_USER", self.smtp_user),
            ("LOOPBRUG_SMTP_PASSWORD", self.smtp_password),
            ("LOOPBRUG_WIDGET_ORIGINS", ",".join(sorted(self.widget_origins))),
            ("LOOPBRUG_PSEUDONYM_KEY", self.pseudonym_key),
        ):
            if value:
                env[name] = value
        return env


def read_dotenv(path: Path) -> dict:
    """Values from a .env file (python-dotenv), or nothing when it does not exist."""
    if not path.exists():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_settings(
    env: Optional[Mapping[str, str]] = None, dotenv: Optional[Path] = None
) -> Settings:
    """Build settings from ``env`` (default: the process environment plus ``.env``)."""
    if env is None:
        merged = read_dotenv(dotenv or ROOT / ".env")
        merged.update(os.environ)
        env = merged
    defaults = Settings()
    action_token = _optional(env, "LOOPBRUG_ACTION_TOKEN")
    return Settings(
        rasa_port=_int(env, "RASA_PORT", defaults.rasa_port),
        actions_port=_int(env, "ACTIONS_PORT", defaults.actions_port),
        web_port=_int(env, "WEB_PORT", defaults.web_port),
        database_url=_optional(env, "DATABASE_URL") or defaults.database_url,
        redis_url=_optional(env, "REDIS_URL"),
        rasa_api_token=_optional(env, "RASA_API_TOKEN"),
        telegram_bot_token=_optional(env, "TELEGRAM_BOT_TOKEN"),
        telegram_webhook_secret=_optional(env, "TELEGRAM_WEBHOOK_SECRET"),
        telegram_api_base_url=_optional(env, "TELEGRAM_API_BASE_URL"),
        model_dir=Path(env.get("LOOPBRUG_MODEL_DIR") or defaults.model_dir),
        widget_origins=parse_origins(env.get("LOOPBRUG_WIDGET_ORIGINS")),
        public_url=_optional(env, "LOOPBRUG_PUBLIC_URL"),
        office_hours=_optional(env, "LOOPBRUG_OFFICE_HOURS") or defaults.office_hours,
        timezone=_optional(env, "LOOPBRUG_TIMEZONE") or defaults.timezone,
        followup_days=_float(env, "LOOPBRUG_FOLLOWUP_DAYS", defaults.followup_days),
        followup_check_s=_float(env, "LOOPBRUG_FOLLOWUP_CHECK_S", defaults.followup_check_s),
        coach_idle_minutes=_float(env, "LOOPBRUG_COACH_IDLE_MINUTES", defaults.coach_idle_minutes),
        ticket_retention_days=_int(
            env, "LOOPBRUG_TICKET_RETENTION_DAYS", defaults.ticket_retention_days
        ),
        coach_telegram_chat_id=_optional(env, "LOOPBRUG_COACH_TELEGRAM_CHAT_ID"),
        smtp_host=_optional(env, "LOOPBRUG_SMTP_HOST"),
        smtp_port=_int(env, "LOOPBRUG_SMTP_PORT", defaults.smtp_port),
        smtp_from=_optional(env, "LOOPBRUG_SMTP_FROM"),
        smtp_user=_optional(env, "LOOPBRUG_SMTP_USER"),
        smtp_password=_optional(env, "LOOPBRUG_SMTP_PASSWORD"),
        smtp_starttls=_bool(env, "LOOPBRUG_SMTP_STARTTLS", defaults.smtp_starttls),
        action_token=action_token or defaults.action_token,
        action_token_set=action_token is not None,
        actions_host=_optional(env, "SANIC_HOST") or defaults.actions_host,
        action_timeout_s=_seconds(env, "LOOPBRUG_ACTION_TIMEOUT_S", defaults.action_timeout_s),
        pseudonym_key=_optional(env, "LOOPBRUG_PSEUDONYM_KEY"),
        conversation_retention_days=_int(
            env, "LOOPBRUG_CONVERSATION_RETENTION_DAYS", defaults.conversation_retention_days
        ),
    )


class _Reading(Mapping[str, str]):
    """An empty environment that notes every name asked of it."""

    def __init__(self) -> None:
        self.asked: set = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        self.asked.add(name)
        return default

    def __contains__(self, name: object) -> bool:
        self.asked.add(name)
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def variable_names() -> FrozenSet[str]:
    """Every environment variable ``load_settings`` reads (README and .env.example list them)."""
    reading = _Reading()
    load_settings(env=reading)
    return frozenset(reading.asked)
