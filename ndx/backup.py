"""Backing up and restoring all of NDX's data as one archive (`manage.py backup_data` and
`manage.py restore_data`).

The archive is a gzipped tar file holding:
- `manifest.json`: format and version, when and from which database it was made, the applied
  migrations, and the row count of every model;
- `data.jsonl`: every row of every model as a Django fixture (JSON lines, so restoring streams),
  with natural keys for content types and permissions (their ids differ between databases).
  Sessions, content types and permissions are left out: the database makes its own;
- `media/...`: uploaded files (offer documents, catalogue imports) from MEDIA_ROOT.

Derived data is rebuilt on restore rather than trusted: the catalogue search fields (text,
PostgreSQL tsvector, facets, vocabulary) and the matching index, whose files live outside the
database. So an archive made on SQLite restores into PostgreSQL and back.

The fixture works on any database Django supports; on PostgreSQL in production, `pg_dump` is
faster for large databases (see README).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.timezone import is_aware

from .appkit import model_renames

FORMAT = "ndx-backup"
VERSION = 1
EXCLUDED_APPS = ("contenttypes", "sessions")
EXCLUDED_MODELS = ("auth.permission",)
# Any row in these means the database is not empty: restore refuses to mix data.
CORE = ("accounts.user", "accounts.organisation", "catalogue.framework", "catalogue.offer")

Say = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


def backed_up_models() -> list:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDED_APPS
        and model._meta.label_lower not in EXCLUDED_MODELS
        and model._meta.managed
        and not model._meta.proxy
    ]


def model_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._base_manager.count() for m in backed_up_models()}


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's cuts them to
    milliseconds, which would change every audit timestamp)."""

    def default(self, o):
        if isinstance(o, datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, time) and not is_aware(o):
            return o.isoformat()
        return super().default(o)


def _dump(path: Path) -> None:
    """What `dumpdata --natural-foreign --all --format jsonl` writes, with full-precision times:
    models in dependency order, every row (base manager), one JSON object a line."""
    by_app: dict = {}
    for model in backed_up_models():
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    ordered = serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)
    with open(path, "w", encoding="utf-8") as stream:
        for model in ordered:
            serializers.serialize(
                "jsonl",
                model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000),
                stream=stream,
                use_natural_foreign_keys=True,
                cls=_PreciseEncoder,
            )


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def backup_create(*, path: Path, include_media: bool = True, say: Say = _quiet) -> dict:
    """Write the archive to `path` (via a temporary file, so a failed backup leaves no
    half-written archive). Returns the manifest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="ndx-backup-") as tmp:
        data = Path(tmp) / "data.jsonl"
        # One repeatable-read snapshot on PostgreSQL, so counts and rows agree.
        from django.db import transaction

        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            counts = model_counts()
            _dump(data)
        files = _media_files(media_root) if include_media else []
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database_vendor": connection.vendor,
            "migrations": applied_migrations(),
            "counts": counts,
            "media_files": len(files),
            "media_included": include_media,
        }
        partial = path.with_name(f".{path.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                raw = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(raw)
                info.mtime = int(datetime.now(UTC).timestamp())
                archive.addfile(info, io.BytesIO(raw))
                archive.add(data, arcname="data.jsonl")
                for file in files:
                    arcname = "media/" + file.relative_to(media_root).as_posix()
                    archive.add(file, arcname=arcname)
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    say(
        f"Backed up {sum(counts.values())} rows of {len(counts)} models and "
        f"{len(files)} media files to {path}"
    )
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember("manifest.json")
    except KeyError:
        raise ValidationError("This is not an NDX backup: it has no manifest.json.")
    manifest = json.loads(archive.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise ValidationError("This is not an NDX backup: its manifest has another format.")
    if manifest.get("version") != VERSION:
        raise ValidationError(
            f"This backup has format version {manifest.get('version')}; this version of NDX "
            f"restores version {VERSION}."
        )
    return manifest


def _safe_media_name(name: str) -> PurePosixPath | None:
    relative = PurePosixPath(name).relative_to("media")
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return None
    return relative


def non_empty_tables() -> dict[str, int]:
    """Rows in the core tables that exist (none exist in a database never migrated)."""
    existing = set(connection.introspection.table_names())
    found = {}
    for label in CORE:
        model = apps.get_model(label)
        if model._meta.db_table in existing:
            count = model._base_manager.count()
            if count:
                found[label] = count
    return found


def _refuse_if_not_empty() -> None:
    occupied = non_empty_tables()
    if occupied:
        raise ValidationError(
            "The database already has data ("
            + ", ".join(f"{n} {label}" for label, n in occupied.items())
            + "). Restore into an empty database."
        )


def _relabel(data: Path, renames: dict[str, str]) -> int:
    """Rewrite a backup's rows in place for models that moved app since it was made: the row's
    model label, and audit entries' object_type (history pages look entries up by it)."""
    moved = 0
    lines = []
    with open(data, encoding="utf-8") as source:
        for line in source:
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("model") in renames:
                row["model"] = renames[row["model"]]
                moved += 1
            fields = row.get("fields", {})
            if row.get("model") == "audit.auditentry" and fields.get("object_type") in renames:
                fields["object_type"] = renames[fields["object_type"]]
            lines.append(json.dumps(row, ensure_ascii=False))
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return moved


def restore(*, path: Path, reindex: bool = True, say: Say = _quiet) -> dict:
    """Restore an archive into an empty database: migrate, load every row, copy the media
    files, check every model's row count against the manifest, then rebuild the search fields
    and the matching index. Raises ValidationError (and changes nothing) when the archive is
    not an NDX backup, comes from a newer version, or the database already has data."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"No backup at {path}.")
    try:
        archive = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise ValidationError(f"{path} is not a readable backup archive: {exc}")
    with archive, tempfile.TemporaryDirectory(prefix="ndx-restore-") as tmp:
        manifest = _read_manifest(archive)
        loader = MigrationLoader(None, ignore_no_migrations=True)
        known = set(loader.disk_migrations)
        newer = sorted(
            f"{app}.{name}"
            for app, names in manifest["migrations"].items()
            for name in names
            if (app, name) not in known
        )
        if newer:
            raise ValidationError(
                "This backup was made by a newer version of NDX (unknown migrations: "
                + ", ".join(newer[:5])
                + "). Restore it with that version."
            )
        _refuse_if_not_empty()
        call_command("migrate", interactive=False, verbosity=0)
        _refuse_if_not_empty()
        missing = sorted(
            f"{app}.{name}"
            for app, name in loader.disk_migrations
            if name not in manifest["migrations"].get(app, [])
            and app in {m._meta.app_label for m in backed_up_models()}
        )
        if missing:
            say(
                f"Note: the backup predates {len(missing)} migrations (e.g. {missing[0]}); "
                "their new fields take their defaults."
            )
        data = Path(tmp) / "data.jsonl"
        with archive.extractfile("data.jsonl") as source, open(data, "wb") as target:
            shutil.copyfileobj(source, target)
        renames = model_renames()
        if renames:
            moved = _relabel(data, renames)
            if moved:
                say(f"Read {moved} rows of models that have moved app since the backup")
        call_command("loaddata", str(data), verbosity=0)
        counts = model_counts()
        expected_counts: dict[str, int] = {}
        for label, expected in manifest["counts"].items():
            label = renames.get(label, label)
            expected_counts[label] = expected_counts.get(label, 0) + expected
        different = {
            label: (expected, counts.get(label))
            for label, expected in expected_counts.items()
            if counts.get(label) != expected and label in counts
        }
        if different:
            raise ValidationError(
                "Restored row counts differ from the backup's: "
                + ", ".join(f"{k} {v[1]} (expected {v[0]})" for k, v in different.items())
            )
        say(f"Restored {sum(counts.values())} rows of {len(counts)} models")

        media_root = Path(settings.MEDIA_ROOT)
        copied = 0
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith("media/"):
                continue
            relative = _safe_media_name(member.name)
            if relative is None:
                say(f"Skipped unsafe file name in the archive: {member.name}")
                continue
            target = media_root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            copied += 1
        say(f"Restored {copied} media files to {media_root}")

    rebuilt = {}
    if reindex:
        from .appkit import rebuild_derived

        rebuilt = rebuild_derived()
        for message in rebuilt.pop("messages"):
            say(message)
    return {"manifest": manifest, "counts": counts, "media_files": copied, **rebuilt}
