"""The password hasher of the test runs (see tests/conftest.py)."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneRoundPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 with one round: same algorithm name and hash format."""

    iterations = 1
