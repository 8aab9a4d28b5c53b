"""Email: outbound over SMTP (``send.py``); parsing, reply stripping and auto-reply
detection come in ``parse.py``, ``quoting.py`` and ``autoreply.py``."""
