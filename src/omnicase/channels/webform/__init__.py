"""The hosted web form of a brand: the page and its POST (``routes.py``), reading the
multipart body (``form.py``), the adapter (``adapter.py``)."""
