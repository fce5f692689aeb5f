"""In-app notifications, with a pluggable sender for SMS or messaging (console by default)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from fuhe.accounts.models import RoleAssignment
from fuhe.audit.core.masking import mask_phone
from fuhe.cases.models import Case, Notification

logger = logging.getLogger("fuhe.notify")


class ConsoleSender:
    """Writes outgoing messages to the log (phone masked). Replace with an SMS gateway in production."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("message to %s: %s", mask_phone(phone), text)


def message_sender():
    return import_string(getattr(settings, "FUHE_MESSAGE_SENDER", "fuhe.cases.services.notify.ConsoleSender"))()


def platform_text(message: str, **values) -> str:
    """``message`` (an English msgid marked with ``gettext_noop``) in the platform's language, whatever the
    language of the request that caused it: a notification is read later, and an SMS goes out in Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message) % values


def notify_users(user_ids: Iterable[int], *, case: Case | None, text: str) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        [Notification(recipient_id=uid, case=case, text=text[:300], created_at=now) for uid in set(user_ids)]
    )


def notify_unit(unit_id: int, *, case: Case, text: str) -> None:
    members = RoleAssignment.objects.filter(unit_id=unit_id).values_list("user_id", flat=True)
    notify_users(members, case=case, text=text)


def notify_reporter(case: Case, text: str) -> None:
    """The resident hears about progress: in-app if they have an account, by message if they left a phone."""
    if case.reporter_id:
        notify_users([case.reporter_id], case=case, text=text)
    if case.reporter_phone:
        phone = case.reporter_phone
        transaction.on_commit(lambda: message_sender().send(phone=phone, text=text))


def notifications_mark_read(*, user) -> int:
    """Mark the user's unread notifications read (their list has been shown); returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
