"""How an action hands a person a file, and how each channel reads it: written once, here.

An action sends a Rasa custom payload (``dispatcher.utter_message(json_message=...)``, which
reaches the channels as ``{"custom": {...}}``)::

    {"text": "<a line to show with the file>",
     "file": {"name": "loopbrug-profiel-2026-12-06.txt",
              "type": "text/plain; charset=utf-8",
              "url": "/api/file/<token>",      # web widget: a download route of the web server
              "content": "<the file's text>"}}  # other channels: the file itself

Each channel renders it in its own way: the web widget shows ``text`` with a download link
(web/messages.py, web/static/widget.js), Telegram sends ``content`` as a document with
``text`` as its caption (connectors/telegram/output.py). ``url`` is only given to web widget
conversations and ``content`` only to the others, so the file's text never travels where it is
not shown. Nothing here imports Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

FILE_KEY = "file"
TEXT_TYPE = "text/plain; charset=utf-8"
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class FileAttachment:
    """A file for the person: its name, media type, and a link or its content."""

    name: str
    type: str = TEXT_TYPE
    url: Optional[str] = None
    content: Optional[str] = None


def file_message(
    text: str,
    name: str,
    *,
    url: Optional[str] = None,
    content: Optional[str] = None,
    media_type: str = TEXT_TYPE,
) -> Dict[str, Any]:
    """The custom payload for ``dispatcher.utter_message(json_message=...)``."""
    if (url is None) == (content is None):
        raise ValueError("a file message carries either a url or its content")
    file: Dict[str, Any] = {"name": name, "type": media_type}
    if url is not None:
        file["url"] = url
    else:
        file["content"] = content
    return {"text": text, FILE_KEY: file}


def read_file(custom: Any) -> Optional[FileAttachment]:
    """The file of a custom payload, or None when it has none (or a malformed one)."""
    if not isinstance(custom, dict) or not isinstance(custom.get(FILE_KEY), dict):
        return None
    raw = custom[FILE_KEY]
    name, media_type = raw.get("name"), raw.get("type") or TEXT_TYPE
    url, content = raw.get("url"), raw.get("content")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
        return None
    if "/" in name or "\\" in name or not isinstance(media_type, str):
        return None
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
        return FileAttachment(name.strip(), media_type, url=url)
    if isinstance(content, str):
        return FileAttachment(name.strip(), media_type, content=content)
    return None


def caption(custom: Any) -> str:
    """The line shown with a file (empty when there is none)."""
    text = custom.get("text") if isinstance(custom, dict) else None
    return text.strip() if isinstance(text, str) else ""
