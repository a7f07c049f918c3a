from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    demo_order = 40

    def rebuild_derived(self) -> dict:
        from .services import index_rebuild_now

        build = index_rebuild_now()
        return {
            "matching_offers": build.offers_indexed,
            "message": (
                f"Rebuilt the matching index ({build.offers_indexed} offers, build {build.pk} "
                f"{build.status})"
            ),
        }
