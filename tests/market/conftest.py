"""Market tests rank needs with the matcher: each test starts with no index loaded in this
process and its own index folder, so a build from another test's (rolled back) transaction is
never used (its id would not exist in this test's database)."""

import pytest

from matching import runtime


@pytest.fixture(autouse=True)
def _own_matching_index(settings, tmp_path):
    settings.MATCHING_INDEX_DIR = tmp_path / "matching"
    runtime.reset()
    yield
    runtime.reset()
