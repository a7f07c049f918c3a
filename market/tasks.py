"""Market background work: ranking the directory against new needs, digests, closing dates.
Each task takes ids, calls a service and is idempotent (needs are ranked once, notifications
are keyed); emails themselves are sent by ndx.notifications' tasks, which retry SMTP errors."""

from celery import shared_task

from .services import alerts, engagements, follows


@shared_task(name="market.tasks.alert_engagement")
def alert_engagement(engagement_id: int) -> int:
    source = alerts.alert_engagement(engagement_id=engagement_id)
    return source.alerted if source else 0


@shared_task(name="market.tasks.alert_pipeline_entry")
def alert_pipeline_entry(entry_id: int) -> int:
    source = alerts.alert_pipeline_entry(entry_id=entry_id)
    return source.alerted if source else 0


@shared_task(name="market.tasks.notify_alerts")
def notify_alerts(source_id: int) -> int:
    return alerts.alerts_notify(source_id=source_id)


@shared_task(name="market.tasks.scan_new_needs")
def scan_new_needs() -> dict:
    return alerts.alerts_scan()


@shared_task(name="market.tasks.send_alert_digests")
def send_alert_digests() -> int:
    return alerts.alerts_digests_send()


@shared_task(name="market.tasks.send_followed_search_digests")
def send_followed_search_digests() -> int:
    return follows.followed_searches_digest()


@shared_task(name="market.tasks.close_due_engagements")
def close_due_engagements() -> int:
    return engagements.engagements_close_due()
