"""X (Twitter): the Account Activity webhook in, DMs and reply posts out."""
