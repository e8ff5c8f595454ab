"""Login throttling: too many wrong passwords lock the account and the address for a while.

django-axes counts the failures (in the database, so every worker sees them) and refuses a login
once the limit is reached, even with the right password, until the cool-off ends or a system
administrator deletes the account's 登录失败记录 in 系统管理. The policy (settings.AXES_…, from
`JUNHENG_LOGIN_FAILURES` and `JUNHENG_LOGIN_LOCK_MINUTES`):

- an account is locked after that many failures in a row from anywhere (guessing one person's
  password from many addresses), and an address after that many failures on any accounts
  (trying many accounts from one computer);
- a successful login clears the failures of its account and address, so one colleague's typo
  does not count against an office that shares an address;
- the address is `clientaddress.client_address` (X-Forwarded-For only from a trusted proxy).
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottle(AxesStandaloneBackend):
    """axes' backend for logins over HTTP. A login without a request (a management command,
    the test client's `login`) has no address to count against and is left to the next
    backend, which checks the password as usual."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
