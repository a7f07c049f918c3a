from django.db import models


class SpendRecordQuerySet(models.QuerySet):
    def credit_notes(self):
        return self.filter(amount__lt=0)

    def from_source(self, name: str):
        return self.filter(source=name)


class ReportSnapshotQuerySet(models.QuerySet):
    def of_kind(self, kind: str):
        return self.filter(kind=kind)

    def current(self, kind: str):
        """The last good snapshot of `kind`, or None."""
        return self.filter(kind=kind, is_current=True).first()
