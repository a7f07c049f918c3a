import pytest

from matching import runtime


@pytest.fixture(autouse=True)
def isolated_index(settings, tmp_path):
    """Each test gets its own index folder and no index loaded in this process."""
    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    settings.MATCHING_REFRESH_SECONDS = 0
    runtime.reset()
    yield
    runtime.reset()
