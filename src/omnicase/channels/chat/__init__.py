"""Web chat: a WebSocket edge (``routes.py``), its JSON protocol (``protocol.py``), the
database side of a conversation (``conversation.py``), the email fallback for visitors
who left (``fallback.py``), the adapter (``adapter.py``) and the widget (``static/``)."""
