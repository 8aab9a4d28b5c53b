"""The Graph API over httpx: the account's base URL and bearer token, errors turned
into texts without the token, and the retry/permanent decision Meta's codes call for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from omnicase.channels.base import Account
from omnicase.channels.meta.common import DEFAULT_API_BASE

#: Graph error codes that mean "slow down" even when the HTTP status is a 400.
RATE_LIMIT_CODES = {4, 17, 32, 613, 80007, 130429, 131048, 131056}
#: WhatsApp: the 24-hour window closed between our check and the send.
REENGAGEMENT = 131047


class GraphError(RuntimeError):
    """A refused or failed Graph call; ``retry`` says whether running again may help."""

    def __init__(self, message: str, retry: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.retry = retry
        self.code = code


@dataclass(frozen=True, slots=True)
class Graph:
    base: str
    token: str
    timeout: float

    @classmethod
    def of(cls, account: Account) -> Graph:
        token = account.secrets.get("access_token", "")
        if not token:
            raise GraphError("the account has no access_token secret", retry=False)
        base = str(account.settings.get("api_base") or DEFAULT_API_BASE).rstrip("/")
        return cls(base, token, float(account.settings.get("timeout") or 30))

    def _scrub(self, text: str) -> str:
        return text.replace(self.token, "[token]") if self.token else text

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One call; :class:`GraphError` for anything but a 2xx."""
        if not url.startswith(("http://", "https://")):
            url = f"{self.base}/{url.lstrip('/')}"
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException:
            raise GraphError("the Graph API timed out", retry=True) from None
        except httpx.HTTPError as exc:
            raise GraphError(
                self._scrub(f"cannot reach the Graph API: {exc}"), retry=True
            ) from None
        if response.is_success:
            return response
        raise self.error(response)

    def error(self, response: httpx.Response) -> GraphError:
        code: int | None = None
        text = response.text[:300]
        try:
            err = response.json().get("error") or {}
            code = err.get("code") if isinstance(err.get("code"), int) else None
            text = str(err.get("message") or text)
            details = (err.get("error_data") or {}).get("details")
            if details:
                text = f"{text}: {details}"
        except (ValueError, AttributeError):
            pass
        status = response.status_code
        retry = status == 429 or status >= 500 or code in RATE_LIMIT_CODES
        where = f"Graph API {status}" + (f" (code {code})" if code is not None else "")
        return GraphError(self._scrub(f"{where}: {text}"), retry=retry, code=code)

    def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = self.request("POST", path, json=body).json()
        return data

    def download(self, url: str, limit: int) -> bytes:
        response = self.request("GET", url)
        if len(response.content) > limit:
            raise GraphError(f"media of {len(response.content)} bytes is over {limit}", False)
        return response.content
