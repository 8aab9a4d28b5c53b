from tests.channels.sms.peer import peer  # noqa: F401  (fixture)
