from django.apps import AppConfig


class BuyingConfig(AppConfig):
    name = "buying"
    demo_order = 30

    def handover_member_work(self, *, user, organisation, to) -> int:
        from .handover import requirement_drafts_handover

        return requirement_drafts_handover(user=user, organisation=organisation, to=to)
