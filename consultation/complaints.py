"""The complaint route: a comment that expresses dissatisfaction with a service is flagged "may
be a complaint", and a moderator offers its writer the complaints procedure (Housing Ombudsman
Complaint Handling Code 1.3: whenever a resident expresses dissatisfaction, the landlord must
offer them the choice to make a complaint). The offer is recorded and audited, and the writer
is emailed how to complain if they gave an address.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from consultation import mail
from consultation.models import Comment, OutboxMessage


def email(db: Session, comment: Comment) -> OutboxMessage | None:
    """The email telling the writer of a comment how to complain, once only (its `dedupe_key`);
    `actions.offer_complaint` records the offer and queues it together."""
    return mail.rendered(db, "complaint_route", to=comment.email, subject="How to make a complaint",
                         heading="How to make a complaint", kind="complaint", comment_id=comment.id,
                         dedupe_key=f"complaint:{comment.id}", comment=comment)
