"""The rater's Horde API key, kept encrypted in their session and nowhere else.

The site needs the key after login only to read the rater's Horde balance. It is
encrypted with a key derived from SECRET_KEY, so the session store (the database)
never holds it in the clear, and rotating SECRET_KEY makes stored copies useless.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.http import HttpRequest

SESSION_KEY = "horde_key_encrypted"


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"horde-ratings:apikey:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def remember_key(request: HttpRequest, apikey: str) -> None:
    request.session[SESSION_KEY] = _fernet().encrypt(apikey.encode()).decode()


def recall_key(request: HttpRequest) -> str | None:
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
