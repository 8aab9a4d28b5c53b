"""Services: the actions (``do_*``) that change state, apart from HTTP and models."""
