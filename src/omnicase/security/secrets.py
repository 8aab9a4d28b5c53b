"""Channel secrets (SMTP/IMAP passwords, app secrets, access tokens) encrypted at rest.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under keys from
``OMNICASE_SECRET_KEYS``: comma-separated, the first one encrypts, every one decrypts
(MultiFernet). Rotation: put a new key first, keep the old ones after it, run
``omnicase secrets rotate`` (re-encrypts every stored secret with the first key), then
drop the old keys. A database dump alone never reveals a secret.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from omnicase.config import Settings, parse_secret_keys


class SecretError(ValueError):
    """A secret cannot be encrypted or decrypted with the configured keys."""


def generate_key() -> str:
    """A new random key (32 bytes, url-safe base64) for ``OMNICASE_SECRET_KEYS``."""
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Encrypts and decrypts secrets with the deployment's keys (first one encrypts)."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys]) if keys else None

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        return cls(parse_secret_keys(settings.secret_keys))

    @property
    def configured(self) -> bool:
        return self._fernet is not None

    def _need(self) -> MultiFernet:
        if self._fernet is None:
            raise SecretError(
                "OMNICASE_SECRET_KEYS is not set: secrets cannot be stored or read "
                "(create a key with `omnicase secrets generate-key`)"
            )
        return self._fernet

    def encrypt(self, plain: str) -> str:
        return self._need().encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._need().decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise SecretError(
                "a stored secret cannot be decrypted with any key of OMNICASE_SECRET_KEYS "
                "(was the key it was encrypted with removed before `omnicase secrets rotate`?)"
            ) from None

    def rotate(self, token: str) -> str:
        """The same secret encrypted with the first key."""
        try:
            return self._need().rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretError(
                "a stored secret cannot be decrypted with any key of OMNICASE_SECRET_KEYS"
            ) from None

    def __repr__(self) -> str:  # never show keys
        return f"SecretBox(configured={self.configured})"
