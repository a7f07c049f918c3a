"""Bulk import of the catalogue interchange format, from the command line or a staff upload.

The format: one offer a line of JSONL (or a JSON array, or CSV with the same columns):

    external_id, title, summary, description, category, supplier {name, sme}
    optional: price, list_price, unit, cpv, features

Suppliers are found or created by name (ignoring case), offers are created published, and an
offer whose `external_id` is already in the catalogue is updated: when what the file says
differs from its published version it gets a new published version (the old one is kept,
superseded); when nothing differs nothing is written. Everything is checked before anything is
written: one bad row and the import writes nothing, naming every bad line and what is wrong.

Without a framework, offers go into a live dynamic market, "Imported catalogue" (NDX-IMPORT),
with a single lot, created the first time it is needed.

The import lives in the suppliers app because it creates suppliers (organisations, profiles,
approval on the lot, standing on the framework) as well as their offers. One module a step:

- formats.py: the format's fields and limits, and a checked row;
- reading.py: the file into numbered records (JSONL, JSON array, CSV);
- checking.py: one record into a row, or what is wrong with it;
- planning.py: the whole file against the database, writing nothing (the plan);
- writing.py: the plan into suppliers, offers and revisions;
- running.py: the command line's run, and staff uploads processed by a background task
  (suppliers.tasks.import_catalogue_file).
"""

from .formats import (
    IMPORT_LOT_NAME,
    IMPORT_LOT_SLUG,
    IMPORT_MARKET_NAME,
    IMPORT_MARKET_REFERENCE,
    MAX_UPLOAD_BYTES,
    ImportRow,
)
from .planning import ImportPlan, catalogue_import_target_check, catalogue_import_validate
from .reading import catalogue_import_format, catalogue_import_read
from .running import (
    catalogue_import_create,
    catalogue_import_fail,
    catalogue_import_process,
    catalogue_import_run,
)
from .writing import ImportResult

__all__ = [
    "IMPORT_LOT_NAME",
    "IMPORT_LOT_SLUG",
    "IMPORT_MARKET_NAME",
    "IMPORT_MARKET_REFERENCE",
    "MAX_UPLOAD_BYTES",
    "ImportPlan",
    "ImportResult",
    "ImportRow",
    "catalogue_import_create",
    "catalogue_import_fail",
    "catalogue_import_format",
    "catalogue_import_process",
    "catalogue_import_read",
    "catalogue_import_run",
    "catalogue_import_target_check",
    "catalogue_import_validate",
]
