from django.db import models


class LotApplicationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status="submitted")

    def approved(self):
        return self.filter(status="approved")

    def for_supplier(self, organisation):
        return self.filter(supplier=organisation)
