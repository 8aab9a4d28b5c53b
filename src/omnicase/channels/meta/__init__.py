"""Meta's channels: Messenger, Instagram Direct and the WhatsApp Cloud API (one adapter,
one webhook, one Graph API client)."""
