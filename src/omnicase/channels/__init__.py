"""Channels: raw input in (inbox → adapter parse → the one pipeline), replies out
(adapter send), the accounts a brand connects and the attachment store.

See docs/channels.md ("Writing an adapter")."""
