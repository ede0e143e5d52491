"""A fake Telegram Bot API on 127.0.0.1 for tests, plus builders for real Update JSON.

The real bot (python-telegram-bot) talks to it through ``base_url``: every call to
``/bot<token>/<method>`` is recorded with its parameters decoded. It runs in a background
thread, so synchronous e2e tests (the Rasa server is another process) and async unit tests
(the bot runs in the test's event loop) can both use it.

    with FakeBotApi() as api:
        settings = Settings(telegram_bot_token=api.token, telegram_api_base_url=api.base_url)
        api.fail_next("sendMessage", times=1, retry_after=1)  # answer HTTP 429 once
        ...
        api.wait_for(lambda calls: len(api.sent(chat_id=7)) >= 1)
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qsl

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Loopbrug",
    "username": "loopbrug_test_bot",
}
# Parameters that python-telegram-bot sends as plain strings; every other one is JSON.
STRING_PARAMS = {"text", "callback_query_id", "url", "secret_token", "parse_mode", "caption"}


@dataclass
class Call:
    """One request the bot made: method name, decoded parameters, HTTP status answered."""

    method: str
    params: Dict[str, Any]
    status: int = 200

    @property
    def ok(self) -> bool:
        """Whether the fake answered it with success."""
        return self.status == 200


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded (multipart/form-data), as the fake received it."""

    filename: str
    content_type: str
    data: bytes

    @property
    def text(self) -> str:
        """The file's content read as UTF-8 (it must be valid UTF-8)."""
        return self.data.decode("utf-8")


def message_id_of(upload: UploadedFile) -> str:
    """A stable id for an uploaded file (Telegram's file_unique_id)."""
    return f"{abs(hash(upload.data)) % 10**12:012d}"


def _multipart(content_type: str, raw: bytes) -> Dict[str, Any]:
    """A multipart/form-data body: files become UploadedFile, other fields are decoded."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    fields: Dict[str, str] = {}
    files: Dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, part.get_content_type(), data)
        else:
            fields[name] = data.decode("utf-8")
    return {**_decode(fields), **files}


def _decode(params: Dict[str, str]) -> Dict[str, Any]:
    decoded: Dict[str, Any] = {}
    for name, value in params.items():
        if name in STRING_PARAMS:
            decoded[name] = value
            continue
        try:
            decoded[name] = json.loads(value)
        except ValueError:
            decoded[name] = value
    return decoded


class FakeBotApi:
    """The Bot API methods the helpline uses, recorded; start/stop or use as a context manager."""

    def __init__(self, token: str = "123456:fake-token") -> None:
        self.token = token
        self.calls: List[Call] = []
        self.delay_s = 0.0
        self._failures: Dict[str, List[int]] = {}
        self._updates: List[Dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # ---- lifecycle

    def start(self) -> FakeBotApi:
        """Listen on a free loopback port in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                fake._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *_: Any) -> None:
                """Quiet: the calls are recorded instead."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """python-telegram-bot's ``base_url``: the token is appended to it."""
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # ---- test controls

    def fail_next(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429 Too Many Requests."""
        with self._changed:
            self._failures[method] = [retry_after] * times

    def queue_update(self, update: Dict[str, Any]) -> None:
        """An update for the next getUpdates call (polling mode)."""
        with self._changed:
            self._updates.append(update)

    def reset(self) -> None:
        """Forget the recorded calls and any planned failures."""
        with self._changed:
            self.calls.clear()
            self._failures.clear()
            self._updates.clear()
            self.delay_s = 0.0

    # ---- reading what happened

    def called(self, method: str, ok_only: bool = True) -> List[Call]:
        """Calls of one method, in order."""
        with self._changed:
            return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def sent(self, chat_id: Optional[int] = None) -> List[Dict[str, Any]]:
        """Parameters of every successful sendMessage (to ``chat_id`` if given)."""
        return [
            c.params
            for c in self.called("sendMessage")
            if chat_id is None or c.params.get("chat_id") == chat_id
        ]

    def documents(self, chat_id: Optional[int] = None) -> List[Dict[str, Any]]:
        """Parameters of every successful sendDocument; ``document`` is an UploadedFile."""
        return [
            c.params
            for c in self.called("sendDocument")
            if chat_id is None or c.params.get("chat_id") == chat_id
        ]

    def texts(self, chat_id: Optional[int] = None) -> List[str]:
        """The texts sent, in order."""
        return [p.get("text", "") for p in self.sent(chat_id)]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Block until ``condition()`` holds (for synchronous tests)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; calls so far: {self.calls}")
                self._changed.wait(min(left, 0.2))

    async def wait_for_async(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``condition()`` holds without blocking the event loop."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {self.calls}")
            await asyncio.sleep(0.02)

    # ---- the API

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            self._reply(
                request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
            return
        method = request.path[len(prefix) :]
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        content_type = request.headers.get("Content-Type", "")
        body = "" if content_type.startswith("multipart/") else raw.decode("utf-8")
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            params = _multipart(content_type, raw)
        elif content_type.startswith("application/json"):
            params = json.loads(body or "{}")
        else:
            params = _decode(dict(parse_qsl(body, keep_blank_values=True)))
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._changed:
            planned = self._failures.get(method)
            retry_after = planned.pop(0) if planned else None
        if retry_after is not None:
            status, answer = (
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
            )
        else:
            status, answer = self._answer(method, params)
        with self._changed:
            self.calls.append(Call(method, params, status))
            self._changed.notify_all()
        self._reply(request, status, answer)

    def _answer(self, method: str, params: Dict[str, Any]) -> tuple:
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "sendMessage":
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return 200, {"ok": True, "result": message}
        if method == "sendDocument":
            upload = params.get("document")
            if not isinstance(upload, UploadedFile):
                return 400, {"ok": False, "error_code": 400, "description": "no file"}
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": BOT_USER,
                "document": {
                    "file_id": f"doc-{message_id_of(upload)}",
                    "file_unique_id": message_id_of(upload),
                    "file_name": upload.filename,
                    "mime_type": upload.content_type,
                    "file_size": len(upload.data),
                },
            }
            if params.get("caption"):
                message["caption"] = params["caption"]
            return 200, {"ok": True, "result": message}
        if method in {
            "answerCallbackQuery",
            "deleteWebhook",
            "setWebhook",
            "setMyCommands",
            "sendChatAction",
        }:
            return 200, {"ok": True, "result": True}
        if method == "getUpdates":
            with self._changed:
                updates, self._updates[:] = list(self._updates), []
            if not updates:
                time.sleep(0.05)  # a very short long-poll
            return 200, {"ok": True, "result": updates}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, answer: Dict[str, Any]) -> None:
        body = json.dumps(answer).encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


# ---------------------------------------------------------------- Update JSON as Telegram sends it


def _user(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "nl"}


def _message(chat_id: int, message_id: int = 1, **content: Any) -> Dict[str, Any]:
    return {
        "message_id": message_id,
        "from": _user(chat_id),
        "chat": {"id": chat_id, "first_name": "Test", "type": "private"},
        "date": int(time.time()),
        **content,
    }


def text_update(update_id: int, chat_id: int, text: str) -> Dict[str, Any]:
    """A private text message; commands carry a bot_command entity like Telegram's."""
    content: Dict[str, Any] = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": _message(chat_id, update_id, **content)}


def callback_update(update_id: int, chat_id: int, data: str) -> Dict[str, Any]:
    """A press on an inline keyboard button under an earlier bot message."""
    bot_message = _message(chat_id, update_id, text="Waar wil je mee beginnen?")
    bot_message["from"] = BOT_USER
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq-{update_id}",
            "from": _user(chat_id),
            "message": bot_message,
            "chat_instance": "42",
            "data": data,
        },
    }


def _file(unique: str, **extra: Any) -> Dict[str, Any]:
    return {"file_id": f"file-{unique}", "file_unique_id": unique, **extra}


NON_TEXT_CONTENT: Dict[str, Dict[str, Any]] = {
    "photo": {"photo": [_file("p1", width=90, height=90), _file("p2", width=800, height=800)]},
    "voice": {"voice": _file("v1", duration=3, mime_type="audio/ogg")},
    "sticker": {
        "sticker": _file(
            "s1", type="regular", width=512, height=512, is_animated=False, is_video=False
        )
    },
    "location": {"location": {"latitude": 52.5168, "longitude": 6.083}},
    "contact": {"contact": {"phone_number": "+31600000000", "first_name": "Iemand"}},
    "document": {"document": _file("d1", file_name="cv.pdf", mime_type="application/pdf")},
}


def non_text_update(update_id: int, chat_id: int, kind: str, caption: str = "") -> Dict[str, Any]:
    """A photo, voice message, sticker, location, contact or document."""
    content = dict(NON_TEXT_CONTENT[kind])
    if caption:
        content["caption"] = caption
    return {"update_id": update_id, "message": _message(chat_id, update_id, **content)}
