"""Request size limit, answered in the API's error shape (FastAPI's own answers in plain text),
or, for a console form, as a page in Chinese."""

from __future__ import annotations

import html
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Refuse a body larger than ``max_bytes`` with 413: at once when the length is declared,
    else once the bytes read pass it (the body is buffered; it is small by definition)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: let the app see it
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return message
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        zh, en = "请求体过大", f"request body larger than {self.max_bytes} bytes"
        kind = b"application/json"
        if str(scope.get("path", "")).startswith("/v1/"):
            body = json.dumps(
                {
                    "code": "payload_too_large",
                    "message": f"{zh} / {en}",
                    "message_zh": zh,
                    "message_en": en,
                    "field": None,
                    "errors": [],
                },
                ensure_ascii=False,
            ).encode("utf-8")
        else:  # a console form: a page the browser shows, in Chinese
            kind = b"text/html; charset=utf-8"
            limit = self.max_bytes // 1024
            text = html.escape(f"提交的内容过多（超过 {limit} KB），请返回删减后重新提交。")
            body = (
                '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
                f"<title>{zh}</title></head><body><main><h1>{zh}</h1>"
                f'<p class="error-text" role="alert">{text}</p></main></body></html>'
            ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
