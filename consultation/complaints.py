"""The complaint route: a comment that expresses dissatisfaction with a service is flagged "may
be a complaint", and a moderator offers its writer the complaints procedure (Housing Ombudsman
Complaint Handling Code 1.3: whenever a resident expresses dissatisfaction, the landlord must
offer them the choice to make a complaint). The offer is recorded and audited, and the writer
is emailed how to complain if they gave an address.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from consultation import mail, store
from consultation.models import Comment


def offer(db: Session, comment: Comment, actor: str) -> bool:
    """Record that the complaint route was offered; queue the email saying how to complain when
    the writer gave an address. One transaction. True when an email was queued."""
    comment.complaint_offered_at = store.now()
    message = None
    if comment.email:
        message = mail.queue(db, "complaint_route", to=comment.email, subject="How to make a complaint",
                             heading="How to make a complaint", kind="complaint", comment_id=comment.id,
                             dedupe_key=f"complaint:{comment.id}", comment=comment)
    how = "by email" if message else "no email address: offer it by phone or letter"
    store.record(db, actor, "offered complaint route", comment.id, f"{comment.reference}: {how}")
    db.commit()
    return message is not None
