"""Email: parsing RFC 5322 messages (``parse.py``), reply and signature stripping
(``quoting.py``), auto-reply and bounce recognition (``autoreply.py``), outbound over SMTP
(``send.py``), the adapter tying them to the inbox (``adapter.py``)."""
