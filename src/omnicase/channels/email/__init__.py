"""The email channel: parsing RFC 5322 messages, reply stripping, auto-reply recognition."""
