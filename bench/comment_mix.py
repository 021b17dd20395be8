"""A large consultation's comments, for benchmarks: the same every time for a seed.

Comments on one draft, as dicts of `consultation.models.Comment`'s attributes to insert in bulk:
every section of the draft and the whole draft, every respondent group (a few of them verified
panel members), every channel, moderation states approved, new and hidden, staff responses on
some, permission to publish given or not, arriving evenly from the day comments opened. Their
texts come from a pool of sentences, some with a phone number, an email address, a street
address, a staff member's name, a link, a complaint or a swear word, and each text is screened
by the app's own check (`screen`) as a comment that arrives is.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator

from consultation.actions import REFERENCE_LETTERS
from consultation.store import email_key
from policy_portal.consultations.moderation import HIDE_REASONS, screen
from policy_portal.consultations.rules import OUTCOMES, RespondentType
from policy_portal.project import Project
from policy_portal.reading.policy import Policy
from policy_portal.text.sections import sections

TOPICS = [
    "Most of our neighbours have a cat or a small dog and there has never been any trouble.",
    "I think asking permission for a goldfish is going too far.",
    "Please say how long it takes to get an answer when we ask for permission.",
    "My dog is an assistance dog and I do not want to have to fill in a form every year.",
    "The dog next door barks all day while they are at work.",
    "Flats with shared gardens need clearer rules about dog mess.",
    "Could you give examples of what counts as a dangerous animal?",
    "I would like to keep two rabbits in a hutch on my balcony.",
    "Older tenants get a lot from having a pet, so please do not make it hard for them.",
    "The section on problems should say what happens before you take a pet away.",
    "There should be a limit on how many cats one household can keep in a flat.",
    "It is not clear whether this applies to leaseholders as well as tenants.",
    "Please put the form online as well as on paper.",
    "Some of us cannot read small print, so a large print copy would help.",
    "I agree with the policy as it is written.",
    "Reptiles need special care and I am glad you mention them.",
    "Who checks that pets are looked after properly?",
    "Fleas spread between flats, so treatment should be part of the rules.",
    "We were told when we moved in that no pets were allowed at all; is that changing?",
    "Assistance animals should never need permission, only a note on the file.",
    "Monitoring once every three years is not often enough.",
    "A dog on the stairs frightened my child last month.",
    "Please make it easier to complain about noise from animals.",
    "Visitors bringing dogs onto the estate should follow the same rules.",
    "Bird feeders attract rats and pigeons and should be covered too.",
    "Thank you for asking us before deciding.",
    "The wording in part three is hard to follow.",
    "Can we appeal if permission is refused?",
]
DETAILS = [
    "You can ring me on 07700 900123 if you want to talk about it.",
    "Email me at sam.carter@example.com with the answer.",
    "I live at 14 Larch Road, LS6 2QT.",
    "Marcus Obi said he would look into it but nothing happened.",
    "See https://example.com/pets for what another landlord does.",
    "I have been waiting for months for a reply about my dog.",
    "This is a bollocks rule.",
]
WORDINGS = [
    "You must ask us before keeping a dog, a cat or any animal that lives outside a cage or tank.",
    "We will answer your request within 20 working days.",
    "You do not need to ask us before keeping an assistance animal.",
    "We will review this policy every year, with tenants.",
    "Before we ask you to rehome a pet, we will meet you to agree what needs to change.",
]
RESPONSES = [
    "We have changed the wording to make this clearer.",
    "We will add a time limit for our answer.",
    "The law sets these rules, so we cannot change them, but we have explained them better.",
    "We have kept this as it is: most people who answered agreed with it.",
    "We will publish the form online as well.",
]
NAMES = ["Sam Carter", "Aisha Khan", "Tom Evans", "Gwen Jones", "Marek Nowak", "Layla Hassan",
         "Jo Smith", "Ben Okafor", "Ruth Davies", "Ali Rahman", "Kasia Wojcik", "Dylan Price"]
RESPONDENTS = {RespondentType.TENANT: 55, RespondentType.LEASEHOLDER: 10, RespondentType.APPLICANT: 5,
               RespondentType.PANEL: 2, RespondentType.STAFF: 3, RespondentType.PARTNER: 5,
               RespondentType.OTHER: 20}
CHANNEL_WEIGHTS = {"online": 88, "phone": 4, "letter": 3, "email": 2, "event": 2, "advocate": 1}
STATES = {"approved": 65, "new": 20, "hidden": 15}
SECTION_WEIGHTS = [8, 22, 14, 12, 8, 14, 10, 4]
"""By section of the example draft, in order; the whole draft weighs `WHOLE_WEIGHT`."""
WHOLE_WEIGHT = 8
ENTERED_BY = "Bench Moderator <bench.moderator@example.org> (moderator)"


class Comments:
    """Makes comment rows (as dicts of `Comment`'s attributes) for one draft, the same for a seed.
    Texts come from a pool, each screened once by the app's own check, as it screens a comment
    that arrives; a moderator's redaction of a flagged approved comment is what the check made."""

    def __init__(self, policy: Policy, project: Project, total: int, invitations: list[int],
                 until: dt.datetime, seed: int = 21):
        """`total` comments in all, arriving until `until`; panel members' carry `invitations` (ids)."""
        self.policy, self.total, self.invitations, self.until = policy, total, invitations, until
        self.random = random.Random(seed)
        self.sections = [*sections(policy.body), None]
        self.section_weights = [*SECTION_WEIGHTS[:len(self.sections) - 1], WHOLE_WEIGHT]
        texts = [self._text() for _ in range(min(total, 4_000))]
        self.pool = [(screen(body, wording, project.moderation), body, wording) for body, wording in texts]
        self.references: set[str] = set()
        self.made = 0

    def _text(self) -> tuple[str, str | None]:
        """A comment and, on a quarter of them, a suggested wording; some with personal details,
        a staff member's name, a link, a complaint or a swear word, which the check flags."""
        sentences = self.random.sample(TOPICS, self.random.choice([1, 1, 2, 2, 3, 4, 6]))
        if self.random.random() < 0.15:
            sentences.insert(self.random.randrange(len(sentences) + 1), self.random.choice(DETAILS))
        wording = self.random.choice(WORDINGS) if self.random.random() < 0.25 else None
        return " ".join(sentences), wording

    def _pick(self, weights: dict):
        return self.random.choices(list(weights), list(weights.values()))[0]

    def _reference(self) -> str:
        """In the app's own form (`consultation.actions.new_reference`), from the seed, never repeated."""
        while True:
            letters = "".join(self.random.choices(REFERENCE_LETTERS, k=8))
            if (reference := f"C-{letters[:4]}-{letters[4:]}") not in self.references:
                self.references.add(reference)
                return reference

    def rows(self, count: int) -> Iterator[dict[str, object]]:
        """The next `count` comments, in the order they arrived."""
        opens = dt.datetime.combine(self.policy.consultation.opens, dt.time(), tzinfo=dt.UTC)
        span = self.until - opens
        for _ in range(count):
            arrived = opens + span * ((self.made + self.random.random()) / self.total)
            self.made += 1
            yield self._row(arrived)

    def _row(self, arrived: dt.datetime) -> dict[str, object]:
        pick = self.random
        section = pick.choices(self.sections, self.section_weights)[0]
        screening, body, wording = pick.choice(self.pool)
        wording = wording if section else None
        respondent = self._pick(RESPONDENTS)
        verified = respondent is RespondentType.PANEL and pick.random() < 0.8
        invitation = pick.choice(self.invitations) if verified else None
        channel = "online" if invitation else self._pick(CHANNEL_WEIGHTS)
        state = self._pick(STATES)
        named = invitation is not None or pick.random() < 0.4
        name = pick.choice(NAMES) if named else None
        email = None
        if named and pick.random() < 0.7:
            email = f"{name.lower().replace(' ', '.')}{pick.randrange(1000)}@example.net"
        moderated = arrived + dt.timedelta(hours=pick.randrange(1, 48)) if state != "new" else None
        answered = state == "approved" and pick.random() < 0.3
        outcome = pick.choice(list(OUTCOMES)) if answered else None
        return {
            "reference": self._reference(),
            "submission_key": str(uuid.UUID(int=pick.getrandbits(128), version=4)),
            "policy_slug": self.policy.slug, "policy_version": self.policy.version,
            "section_key": section and section.key, "section_title": section and section.title,
            "respondent_type": respondent.value, "name": name, "email": email,
            "email_key": email_key(email) if email else None, "body": body, "suggested_wording": wording,
            "may_publish": pick.random() < 0.75, "panel_invitation_id": invitation, "created_at": arrived,
            "flags": json.dumps([vars(flag) for flag in screening.flags]), "screened_body": screening.body,
            "screened_wording": screening.wording if wording else None, "moderation": state,
            "public_body": screening.body if state == "approved" and screening.flags else None,
            "rule_broken": pick.choice(list(HIDE_REASONS)) if state == "hidden" else None,
            "moderated_at": moderated, "response_outcome": outcome,
            "response_text": pick.choice(RESPONSES) if answered else None,
            "response_section": section.key if section and outcome in ("accepted", "partly") else None,
            "responded_at": moderated + dt.timedelta(days=1) if answered else None,
            "consultation_closes": self.policy.consultation.closes, "channel": channel,
            "entered_by": ENTERED_BY if channel != "online" else None,
        }
