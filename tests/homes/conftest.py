# The permission matrix's world (two buyers, two suppliers, staff, competitions, contracts...).
from tests.security.conftest import world  # noqa: F401
