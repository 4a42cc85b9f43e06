"""`rulex serve PACK [CORPUS...]`: a local web playground to write a pack's rules and see them match.

`session.py` holds the rule files as edited and the pack compiled from them (`incremental.py`
compiles again after an edit, reusing what the edit left alone); `app.py` is the web app (a
Starlette app over a JSON API); `static/` is the page, built from `web/` (CodeMirror 6) and
shipped in the wheel, so nothing is fetched at run time.
"""
from __future__ import annotations

from .app import LOOPBACK, create_app, local_hosts
from .session import Refused, Session

__all__ = ["LOOPBACK", "Refused", "Session", "create_app", "local_hosts"]
