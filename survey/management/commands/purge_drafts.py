"""`purge_drafts`: the former name of ``purge_expired``, kept so existing schedules run on."""

from __future__ import annotations

from survey.management.commands import purge_expired


class Command(purge_expired.Command):
    help = (
        "Another name for purge_expired (kept for schedules written before it): empties the "
        "unsubmitted drafts of closed rounds and removes invitee addresses and audit entries "
        "RETENTION_DAYS after their round closed."
    )
