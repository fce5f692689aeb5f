import pytest

from fuhe.audit import services


@pytest.fixture(autouse=True)
def audit_key_file(settings, tmp_path):
    """Each audit test signs with a key of its own (created on first use in a fresh folder), never the data
    folder's."""
    settings.FUHE_AUDIT_KEY_FILE = tmp_path / "keys" / "audit.key"
    services._signing = None
    yield settings.FUHE_AUDIT_KEY_FILE
    services._signing = None
