from __future__ import annotations

from django.db import models


class CaseStudyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def of_offer(self, offer):
        return self.published().filter(contract__offer=offer)
