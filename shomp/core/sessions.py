"""Django's database sessions, read by a query compiled once (core.sql).

Every signed-in request reads its session first; building and compiling that one-row query was
a measurable part of a signed-in page (issue 17). Only the read changes: the same row (the key,
not expired), the same table, and everything else (saving, cycling keys at login, expiry,
clearing) is Django's `db.SessionStore` as it stands.
"""

from datetime import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .sql import Precompiled

_LIVE_SESSION = Precompiled(
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now).order_by()[:1],
    session_key=str,
    now=datetime,
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = _LIVE_SESSION(session_key=self.session_key, now=timezone.now())
        if not found:
            self._session_key = None  # as Django does: a new key if this session is saved
            return None
        return found[0]
