from tests.api.conftest import client  # noqa: F401  (the API test client, for test_api)
