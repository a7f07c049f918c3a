from django.db import models
from django.utils import timezone


class OrganisationQuerySet(models.QuerySet):
    def buyers(self):
        return self.filter(kind="buyer")

    def suppliers(self):
        return self.filter(kind="supplier")


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status="pending", expires_at__gt=timezone.now())

    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)
