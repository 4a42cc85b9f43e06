"""The web app of `rulex serve`: a page (static/, built from web/) and a JSON API over a `Session`.

    GET  /                the page
    GET  /api/files       the pack's rule files, the corpus, the limits
    GET  /api/file?name=  one rule file's text as edited (and as saved)
    POST /api/compile     {file, text, sentence?, date?, rule?}: compile with the edited text; the
                          diagnostics, the rules of the file, the sentence's matches and the chosen
                          rule's inline examples, run: the answer to every edit
    POST /api/explain     {file, text, sentence, date?, rule}: why the rule matches the sentence or not
    POST /api/corpus      {file, text, rule, limit?}: the rule's hits in the corpus (keyword in context)
    POST /api/suggest     {file?, text?, type, sentence, date?, trigger, arguments} or {file?, text?, type,
                          sentences: [{text, date?, trigger, arguments}]}: a rule suggested from sentences
                          with their trigger and arguments marked (`trigger`: [start, end], `arguments`:
                          [{role, span: [start, end]}], as `rulex suggest --from` reads them), made with
                          the pack as edited, checked on them, and its hits in the corpus
    POST /api/save        {file, text}: write the rule file (only rule files inside the pack)

A request whose Host (or Origin) is not this server's own loopback address is refused (DNS
rebinding: a web page the analyst visits cannot drive the playground), unless the server listens
on another address, which `rulex serve --host` warns about. Bad input (a broken rule, a lone
surrogate, too much text, a body that is not JSON) is an error in the answer, never a crash.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..document import parse_date
from ..outputs.html import CSS
from .session import CORPUS_DOCUMENTS, MAX_RULE_FILE_CHARS, MAX_TEXT_CHARS, SUGGEST_HITS, Compiled, Refused, Session

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 4 * MAX_RULE_FILE_CHARS + 4 * MAX_TEXT_CHARS + 10_000
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
log = logging.getLogger("rulex.serve")


def local_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers a browser sends to a server on this loopback address and port."""
    names = {"127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else {"[::1]"}
    return frozenset(f"{name}:{port}" for name in names)


class LocalOnly:
    """Refuses (403) a request whose Host is not one of `hosts`, or whose Origin (sent by
    browsers with every POST and every cross-site request) is not `http://` one of them."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            host = headers.get("host", "").lower()
            origin = headers.get("origin")
            why = None
            if host not in self.hosts:
                why = f"Host {host!r} is not this playground's address"
            elif origin is not None and origin.lower() not in {f"http://{h}" for h in self.hosts}:
                why = f"Origin {origin!r} is not this playground"
            if why is not None:
                response = PlainTextResponse(f"rulex serve: refused: {why} (see `rulex serve --help`, --host)", 403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(session: Session, hosts: frozenset[str] | None) -> ASGIApp:
    """The playground over `session`; `hosts`: the Host headers accepted (None: any)."""

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def report_css(request: Request) -> Response:
        return Response(CSS, media_type="text/css")

    def files(body: dict) -> dict:
        current = session.current
        return {"pack": session.loaded.manifest.name, "root": str(session.root),
                "files": [{"name": name, "dirty": session.texts[name] != session.saved[name],
                           "problems": _counts(current, entry.source_name)}
                          for name, entry in session.files.items()],
                "corpus": list(session.corpus_paths), "corpus_documents": CORPUS_DOCUMENTS, "schema": session.schema(),
                "limits": {"rule_file_chars": MAX_RULE_FILE_CHARS, "text_chars": MAX_TEXT_CHARS}}

    def file(body: dict) -> dict:
        name = str(body.get("name", ""))
        session.rule_file(name)
        return {"name": name, "text": session.texts[name], "saved": session.texts[name] == session.saved[name]}

    def compile_(body: dict) -> dict:
        name, text = _string(body, "file"), _string(body, "text")
        changed = session.rule_file(name) is not None and session.texts[name] != text
        current = session.update(name, text)
        out: dict[str, Any] = {**_compiled(session, current, name), "changed": changed}
        sentence = body.get("sentence")
        if isinstance(sentence, str) and current.pack is not None:
            date = _date(body)
            matched = session.match(sentence, date)
            out["matches"] = [m.to_dict() for m in matched.matches]  # the output contract
            out["problems"] = list(matched.problems)
            out["html"] = matched.html
        rule = body.get("rule")
        if current.pack is not None and isinstance(rule, str) and rule:
            out["examples"] = session.examples(name, rule)
        return out

    def explain(body: dict) -> dict:
        name = _string(body, "file")
        session.update(name, _string(body, "text"))
        return session.explain(_string(body, "sentence"), _date(body), _string(body, "rule"))

    def corpus(body: dict) -> dict:
        name = _string(body, "file")
        session.update(name, _string(body, "text"))
        limit = body.get("limit", CORPUS_DOCUMENTS)
        if not isinstance(limit, int):
            raise Refused("`limit` must be a whole number of documents")
        return session.corpus(_string(body, "rule"), limit)

    def suggest(body: dict) -> dict:
        if isinstance(body.get("file"), str) and isinstance(body.get("text"), str):
            session.update(body["file"], body["text"])  # the pack as edited: its lexicons and types
        records = body.get("sentences")
        if records is None:
            records = [{"text": body.get("sentence"), "date": body.get("date"), "trigger": body.get("trigger"),
                        "arguments": body.get("arguments")}]
        if not isinstance(records, list):
            raise Refused("`sentences` must be a list of marked sentences")
        records = [{"type": body.get("type"), **{k: v for k, v in r.items() if v or k != "date"}}
                   if isinstance(r, dict) else r for r in records]  # an empty date: none
        limit = body.get("limit", SUGGEST_HITS)
        if not isinstance(limit, int):
            raise Refused("`limit` must be a whole number of hits")
        return {**session.suggest(records, limit), "schema": session.schema()}

    def save(body: dict) -> dict:
        name = _string(body, "file")
        session.save(name, _string(body, "text"))
        return {"saved": name}

    routes = [
        Route("/", index),
        Route("/report.css", report_css),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/files", _endpoint(files), methods=["GET"]),
        Route("/api/file", _endpoint(file), methods=["GET"]),
        Route("/api/compile", _endpoint(compile_), methods=["POST"]),
        Route("/api/explain", _endpoint(explain), methods=["POST"]),
        Route("/api/corpus", _endpoint(corpus), methods=["POST"]),
        Route("/api/suggest", _endpoint(suggest), methods=["POST"]),
        Route("/api/save", _endpoint(save), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app: ASGIApp = Starlette(routes=routes)
    return LocalOnly(app, hosts) if hosts is not None else app


def _endpoint(work: Callable[[dict], dict]) -> Callable[[Request], Any]:
    """An endpoint that reads the JSON body (or the query of a GET), runs `work` on a worker
    thread and answers JSON; a refusal or bad input is {"error": ...} with its status."""

    async def endpoint(request: Request) -> Response:
        try:
            if request.method == "GET":
                body: dict = dict(request.query_params)
            else:
                body = await _json_body(request)
            return JSONResponse(await run_in_threadpool(work, body))
        except Refused as err:
            return JSONResponse({"error": str(err)}, err.status)
        except Exception as err:  # noqa: BLE001 - a bug: answered, logged, and the server goes on
            log.exception("rulex serve: internal error")
            return JSONResponse({"error": f"internal error: {type(err).__name__}: {err}"}, 500)

    return endpoint


async def _json_body(request: Request) -> dict:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(f"the request is too large ({int(declared):,} bytes)", 413)
    data = await request.body()
    if len(data) > MAX_BODY_BYTES:
        raise Refused(f"the request is too large ({len(data):,} bytes)", 413)
    try:
        body = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise Refused(f"the request is not valid UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise Refused(f"the request is not JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    if not isinstance(body, dict):
        raise Refused("the request must be a JSON object")
    return body


def _string(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise Refused(f"`{key}` is missing or not a string")
    return value


def _date(body: dict) -> dt.date | None:
    value = body.get("date")
    if not value:
        return None
    try:
        return parse_date(str(value))
    except ValueError:
        raise Refused(f"the date {value!r} is not YYYY-MM-DD") from None


def _counts(current: Compiled, source_name: str) -> dict[str, int]:
    mine = [d for d in current.diagnostics if d.span and d.span.file == source_name]
    return {"errors": sum(d.severity.value == "error" for d in mine),
            "warnings": sum(d.severity.value == "warning" for d in mine)}


def _compiled(session: Session, current: Compiled, name: str) -> dict:
    """Diagnostics (file names as the pack's), the rules of the open file, timing."""
    names = {entry.source_name: entry.name for entry in session.files.values()}
    diagnostics = []
    for found in current.diagnostics:
        item = found.to_dict(current.sources)
        if "file" in item:
            item["file"] = names.get(item["file"], item["file"])
        diagnostics.append(item)
    source_name = session.files[name].source_name
    rules = [{"id": r.id, "local_id": r.local_id, "line": r.line, "type": r.type, "kind": r.kind,
              "examples": len(r.examples)}
             for r in (current.pack.rules if current.pack else ()) if r.file == source_name]
    return {"diagnostics": diagnostics, "rules": rules, "stale": current.stale,
            "compile_ms": round(current.seconds * 1000, 1), "reused": current.reused, "recompiled": current.compiled,
            "files": [{"name": n, "dirty": session.texts[n] != session.saved[n],
                       "problems": _counts(current, e.source_name)} for n, e in session.files.items()]}

