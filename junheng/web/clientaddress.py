"""The address a request came from, for per-address limits (logins, the public survey form).

`X-Forwarded-For` is a header anyone can send. It is believed only when the request itself comes
from a proxy the site is told to trust (`JUNHENG_TRUSTED_PROXIES`, by default the machine itself,
where the deployment guide's nginx runs); then the address is the last one in the header that is
not such a proxy. A site reached directly (`./run demo --host 0.0.0.0`) sees each client's own
address, whatever header it sends.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the nearest untrusted hop behind a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if hop and hop not in trusted:
            return hop
    return remote
