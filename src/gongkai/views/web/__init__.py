"""``gongkai serve``: the web app reviewers work in.

FastAPI + Jinja2, server-rendered pages over the corpus database (``gongkai.store``): problems
first (``/``), upload, report view, agency, region, review decisions, and a JSON API under
``/api``. Every page has ``.json``, ``.csv`` and ``.xlsx`` twins (see :mod:`.render`).

FastAPI is imported only when the app is built (:func:`create_app`), so ``gongkai`` commands that
do not serve never pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> FastAPI:
    from gongkai.views.web.app import create_app as _create_app

    return _create_app(*args, **kwargs)
