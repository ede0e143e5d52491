"""What a person reads, as a transcript a reviewer can read and diff.

A conversation (``conversations/<name>.yml``) is a list of steps; running it gives one
``Turn`` per step: what the person did and the bot messages that came back. ``render`` makes
the snapshot text (``snapshots/<name>.txt``):

    > wat de persoon typt
    > [Knop]                      (the person pressed the button with this title)
    < a bot message
      its next lines, indented
      [Knop titel]                (a button under the message)
      [Knop titel -> link]        (a button that opens a link)
      [bestand: profiel.txt]      (a file, document or other attachment)
    > [Knop] (knop niet getoond; als tekst getypt)   (the button was not there)

``normalise`` is the one place where parts that change from run to run (ticket references,
dates and times of today, ports, tokens, ids) become placeholders.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

GOLDEN = Path(__file__).resolve().parent
CONVERSATIONS = GOLDEN / "conversations"
SNAPSHOTS = GOLDEN / "snapshots"
CHANNELS = ("rest", "telegram")
STEP_KINDS = ("say", "press", "restart")

MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


# ---------------------------------------------------------------- conversations


@dataclass
class Conversation:
    """One golden conversation as written in its YAML file."""

    name: str
    title: str
    why: str
    channel: str
    steps: List[Dict[str, Any]]


def load(path: Path) -> Conversation:
    """Read and check one conversation file; ValueError says what is wrong with it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for key in ("title", "why", "channel", "turns"):
        if not data.get(key):
            raise ValueError(f"{path.name}: '{key}' is missing")
    if data["channel"] not in CHANNELS:
        raise ValueError(f"{path.name}: channel must be one of {CHANNELS}")
    steps = []
    for number, step in enumerate(data["turns"], 1):
        if not isinstance(step, dict) or len(step) != 1 or next(iter(step)) not in STEP_KINDS:
            raise ValueError(f"{path.name}: turn {number} must be one of {STEP_KINDS}: {step!r}")
        kind, value = next(iter(step.items()))
        if kind in ("say", "press") and not isinstance(value, (str, int, float)):
            raise ValueError(f"{path.name}: turn {number}: '{kind}' needs a text")
        steps.append({kind: str(value) if kind != "restart" else bool(value)})
    return Conversation(path.stem, data["title"], data["why"], data["channel"], steps)


def conversation_files() -> List[Path]:
    """Every golden conversation, sorted by name."""
    return sorted(CONVERSATIONS.glob("*.yml"))


# ---------------------------------------------------------------- what the person sees


@dataclass
class Message:
    """One bot message as the person sees it: text, buttons, and anything else shown."""

    text: str = ""
    buttons: List[Dict[str, str]] = field(default_factory=list)  # title, payload or url
    extras: List[str] = field(default_factory=list)  # files, images, links: readable lines


@dataclass
class Turn:
    """One step of the person and the bot messages that answered it."""

    person: str  # "> ..." line without the marker; "" for a restart
    kind: str  # say, press, missing (a press whose button was not shown), restart
    messages: List[Message] = field(default_factory=list)


def from_rest(raw: Dict[str, Any]) -> Optional[Message]:
    """A message of the REST webhook's answer (Rasa's format) as the person sees it."""
    text = raw.get("text") if isinstance(raw.get("text"), str) else ""
    extras: List[str] = []
    custom = raw.get("custom")
    if isinstance(custom, dict):
        if not text and isinstance(custom.get("text"), str):
            text = custom["text"]
        if custom.get("from") == "coach" and custom.get("name"):
            text = f"{custom['name']} (coach): {text}"
        rest = {k: v for k, v in custom.items() if k not in ("text", "from", "name")}
        if rest:
            extras.append(describe_custom(rest))
    elif custom is not None:
        extras.append(f"[custom: {json.dumps(custom, ensure_ascii=False)}]")
    if raw.get("image"):
        extras.append(f"[afbeelding: {raw['image']}]")
    if raw.get("attachment"):
        attachment = raw["attachment"]
        if isinstance(attachment, dict):
            extras.append(describe_custom(attachment, label="bijlage"))
        else:
            extras.append(f"[bijlage: {attachment}]")
    buttons = []
    for button in raw.get("buttons") or []:
        if not isinstance(button, dict):
            continue
        title = str(button.get("title") or button.get("payload") or "")
        entry = {"title": title, "payload": str(button.get("payload") or title)}
        if button.get("url"):
            entry["url"] = str(button["url"])
        buttons.append(entry)
    if not text.strip() and not buttons and not extras:
        return None
    return Message(text=text.strip(), buttons=buttons, extras=extras)


def describe_custom(data: Dict[str, Any], label: str = "") -> str:
    """A custom payload or attachment in words: a file with its name and text, a link, or
    its keys as JSON (which the checks then report as raw syntax)."""
    if isinstance(data.get("file"), dict):
        file = data["file"]
        name = file.get("name") or file.get("filename") or "?"
        return file_text(str(name), file.get("content"), file.get("url"))
    name = data.get("filename") or data.get("file_name") or data.get("name") or data.get("title")
    link = data.get("url") or data.get("link") or data.get("download") or data.get("href")
    kind = label or ("bestand" if name or data.get("type") in ("file", "document") else "extra")
    if name or link:
        return f"[{kind}: {name or ''}{' -> ' + str(link) if link else ''}]".replace(": ->", ":")
    return f"[{kind}: {json.dumps(data, ensure_ascii=False, sort_keys=True)}]"


def file_text(name: str, content: Any = None, link: Any = None) -> str:
    """A file as the person gets it: ``[bestand: name]``, then its text (if it is text), so the
    reviewer reads the file too. Extra lines are indented under the marker when rendered."""
    head = f"[bestand: {name}{' -> ' + str(link) if link else ''}]"
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            content = f"({len(content)} bytes, geen tekst)"
    if isinstance(content, str) and content.strip():
        return head + "\n" + content.rstrip()
    return head


def from_telegram(method: str, params: Dict[str, Any]) -> Optional[Message]:
    """One Bot API call the bot made to the person's chat, as the person sees it."""
    if method == "sendMessage":
        buttons = []
        markup = params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                entry = {"title": button.get("text", ""), "payload": button.get("callback_data")}
                if button.get("url"):
                    entry["url"] = button["url"]
                buttons.append(entry)
        return Message(text=str(params.get("text", "")).strip(), buttons=buttons)
    if method in ("sendDocument", "sendPhoto", "sendAudio", "sendVideo"):
        thing = params.get("document") or params.get("photo") or params.get("audio") or ""
        caption = str(params.get("caption", "")).strip()
        if hasattr(thing, "filename"):  # an upload, as tests/telegram_fake.py records it
            return Message(text=caption, extras=[file_text(thing.filename, thing.data)])
        name = params.get("filename") or params.get("file_name")
        if not name and isinstance(thing, dict):
            name = thing.get("filename") or thing.get("file_name")
        if not name:
            name = str(thing)[:60] if isinstance(thing, str) and thing else "?"
        kind = {"sendDocument": "bestand", "sendPhoto": "afbeelding"}.get(method, "bestand")
        return Message(text=caption, extras=[f"[{kind}: {name}]"])
    return None


# ---------------------------------------------------------------- normalising


def normalise(text: str, today: Optional[date] = None, sender: str = "") -> str:
    """Replace what changes between runs with placeholders, so a snapshot only changes when
    what a person reads changes.

    - ticket references ``LB-7K2QXZ`` -> ``LB-<REF>``
    - dates from a week ago to two years ahead (the run's today, a follow-up or retention
      date): ``6 december 2026``, ``6-12-2026``, ``2026-12-06`` -> ``<DATUM>``; older or
      further dates are facts (``1 januari 2024``) and stay
    - clock times ``13:05`` -> ``<TIJD>``
    - ``127.0.0.1:<port>`` / ``localhost:<port>`` -> ``<HOST>``
    - tokens in links (query values, path parts of 16+ letters and digits) -> ``<TOKEN>``
    - the conversation's sender id -> ``<SENDER>``
    """
    today = today or date.today()
    text = re.sub(r"\bLB-[A-Z0-9]{4,10}\b", "LB-<REF>", text)
    if sender:
        text = text.replace(sender, "<SENDER>")
    text = re.sub(r"(?:https?://)?(?:127\.0\.0\.1|localhost|0\.0\.0\.0):\d+", "<HOST>", text)
    text = re.sub(r"([?&][\w-]+=)[^&\s)\]]+", r"\1<TOKEN>", text)
    text = re.sub(r"(?<=/)[A-Za-z0-9_-]{16,}(?=[/?.\s)\]]|$)", "<TOKEN>", text)
    text = re.sub(r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]{27}\b", "<ID>", text)
    text = _DATE.sub(lambda m: _date_placeholder(m, today), text)
    text = re.sub(r"\b(?:[01]?\d|2[0-3]):[0-5]\d\b", "<TIJD>", text)
    return text


_DATE = re.compile(
    r"\b(?:(?P<d1>\d{1,2}) (?P<month>" + "|".join(MONTHS) + r") (?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})-(?P<m2>\d{1,2})-(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))\b"
)


def _date_placeholder(match: re.Match, today: date) -> str:
    """``<DATUM>`` for a date from a week ago to two years ahead; other dates stay."""
    try:
        if match["month"]:
            day = date(int(match["y1"]), MONTHS.index(match["month"]) + 1, int(match["d1"]))
        elif match["y2"]:
            day = date(int(match["y2"]), int(match["m2"]), int(match["d2"]))
        else:
            day = date(int(match["y3"]), int(match["m3"]), int(match["d3"]))
    except ValueError:
        return match[0]
    near = today - timedelta(days=7) <= day <= today + timedelta(days=731)
    return "<DATUM>" if near else match[0]


# ---------------------------------------------------------------- the snapshot text


def render(
    conversation: Conversation, turns: List[Turn], today: Optional[date] = None, sender: str = ""
) -> str:
    """The snapshot: a short header, then every step and every message the person saw."""
    lines = [
        f"# {conversation.title}",
        f"# kanaal: {conversation.channel}",
        f"# waarom: {' '.join(conversation.why.split())}",
    ]
    for turn in turns:
        lines.append("")
        if turn.kind == "restart":
            lines.append("--- de servers starten opnieuw; de persoon schrijft daarna verder ---")
            continue
        if turn.kind == "press":
            lines.append(f"> [{turn.person}]")
        elif turn.kind == "missing":
            lines.append(f"> [{turn.person}] (knop niet getoond; als tekst getypt)")
        else:
            lines.append(f"> {turn.person}")
        if not turn.messages:
            lines.append("(geen antwoord)")
        for message in turn.messages:
            text_lines = message.text.split("\n") if message.text else [""]
            lines.append(f"< {text_lines[0]}".rstrip())
            lines.extend(f"  {line}".rstrip() for line in text_lines[1:])
            for extra in message.extras:
                first, *more = extra.split("\n")
                lines.append(f"  {first}")
                lines.extend(f"    {line}".rstrip() for line in more)
            for button in message.buttons:
                link = f" -> {button['url']}" if button.get("url") else ""
                lines.append(f"  [{button['title']}{link}]")
    return normalise("\n".join(lines) + "\n", today, sender)
