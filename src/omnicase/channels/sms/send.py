"""SMS out through Twilio's Messages API: ``POST {api_base}/2010-04-01/Accounts/{sid}/
Messages.json`` (form To, From, Body, StatusCallback), HTTP basic auth (account SID,
auth token). The answer's ``sid`` becomes the message's external id, so the status
callbacks find it.

Long texts: Twilio splits a text into segments itself and refuses over 1600 characters;
we refuse over :data:`MAX_CHARS` before calling it (a permanent failure saying so) rather
than cut an agent's answer in pieces the customer may receive out of order.
"""

from __future__ import annotations

import httpx

from omnicase.channels.base import OutboundContext, SendResult

DEFAULT_API = "https://api.twilio.com"
MAX_CHARS = 1600
TIMEOUT = 20.0


def send_sms(outbound: OutboundContext) -> SendResult:
    account = outbound.account
    sid = str(account.settings.get("account_sid") or "")
    token = account.secrets.get("auth_token", "")
    if not sid or not token:
        return SendResult.failed("the SMS account needs settings.account_sid and auth_token")
    if len(outbound.text) > MAX_CHARS:
        return SendResult.failed(
            f"the text has {len(outbound.text)} characters; an SMS reply is at most "
            f"{MAX_CHARS} (shorten it or answer on another channel)"
        )
    base = str(account.settings.get("api_base") or DEFAULT_API).rstrip("/")
    form = {"To": outbound.recipient, "From": account.address, "Body": outbound.text}
    callback = account.settings.get("status_callback") or account.settings.get("webhook_url")
    if callback:
        form["StatusCallback"] = str(callback)
    try:
        response = httpx.post(
            f"{base}/2010-04-01/Accounts/{sid}/Messages.json",
            data=form,
            auth=(sid, token),
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        return SendResult.retry(f"Twilio unreachable: {type(exc).__name__}")
    return _outcome(response)


def _outcome(response: httpx.Response) -> SendResult:
    try:
        data = response.json()
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    if response.status_code in (200, 201) and data.get("sid"):
        return SendResult.sent(str(data["sid"]), twilio_status=str(data.get("status", "")))
    detail = f"Twilio answered {response.status_code}"
    if data.get("code"):
        detail += f" (error {str(data['code'])[:10]}: {str(data.get('message', ''))[:200]})"
    if response.status_code == 429 or response.status_code >= 500:
        return SendResult.retry(detail)
    return SendResult.failed(detail)
