"""The comment form. The server is the only judge of what is valid; messages say what to do.

Every text field but a password has its outer spaces and any control characters stripped first,
so a comment of only spaces is empty.
One form class serves every section: each form on the page gets the section's key as prefix,
so field names and ids never clash and the error summary can link to the right field.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Optional, StopValidation, ValidationError

from consultation import context
from policy_portal.consultations.moderation import HIDE_REASONS
from policy_portal.consultations.rules import CHANNELS, DECISIONS, OUTCOMES, RespondentType
from policy_portal.text.sections import WHOLE_DRAFT_TITLE

MAX_COMMENT = 5000
MAX_NAME = 100
MAX_EMAIL = 254

PUBLISH_CHOICES = [
    SelectChoice("yes", "Yes, you may publish my comment without my name"),
    SelectChoice("no", "No, do not publish my comment"),
]


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters other than tab and line breaks: invisible, and PostgreSQL refuses NUL."""


def clean_text(text: str) -> str:
    """Text as every form field keeps it: control characters dropped, outer spaces stripped."""
    return CONTROL.sub("", text).strip()


def _strip(value: object) -> object:
    return clean_text(value) if isinstance(value, str) else value


class StrippedForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            own = list(unbound_field.kwargs.get("filters", ()))
            filters = own if unbound_field.field_class is PasswordField else [_strip, *own]
            return unbound_field.bind(form=form, filters=filters, **options)


class MaxLength:
    """Like WTForms' Length, but the message says how long the text is now."""

    def __init__(self, limit: int, what: str) -> None:
        self.limit, self.what = limit, what

    def __call__(self, form: FlaskForm, field: Field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(f"{self.what} must be {self.limit:,} characters or fewer. "
                                  f"It has {length:,} now.")


class OneOf:
    """A radio answer must be one of the choices on the page; a forged value gets plain words."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: RadioField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise StopValidation(self.message)


def _honeypot(form: FlaskForm, field: Field) -> None:
    if field.data:
        raise ValidationError("Leave this box empty. It is there to catch automated spam.")


class CommentForm(StrippedForm):
    respondent_type = RadioField("Who are you?", validate_choice=False,
                                 validators=[OneOf("Choose who you are")])
    name = StringField("Your name (optional)", validators=[MaxLength(MAX_NAME, "Your name")])
    email = EmailField("Email address (optional)", validators=[
        Optional(), MaxLength(MAX_EMAIL, "Your email address"),
        Email("Enter an email address in the right format, like name@example.com"),
    ])
    comment = TextAreaField("Your comment", validators=[
        DataRequired("Enter your comment"), MaxLength(MAX_COMMENT, "Your comment"),
    ])
    suggested_wording = TextAreaField("Suggested wording (optional)",
                                      validators=[MaxLength(MAX_COMMENT, "Your suggested wording")])
    may_publish = RadioField("May we publish your comment on this website?", choices=PUBLISH_CHOICES,
                             validate_choice=False,
                             validators=[OneOf("Choose whether we may publish your comment")])
    website = StringField("Leave this box empty", validators=[_honeypot])
    submission = HiddenField()

    def __init__(self, respondents: Sequence[RespondentType], section: bool, **kwargs) -> None:
        """`respondents`: the choices for "Who are you?", none for a verified panel member.
        `section`: True on a section's form, which asks for suggested wording."""
        super().__init__(**kwargs)
        self.respondent_type.choices = [SelectChoice(kind.value, kind.label) for kind in respondents]
        if not respondents:  # a verified panel member: who they are is known from their link
            del self.respondent_type
            del self.name
        if not section:
            del self.suggested_wording
        if not _is_key(self.submission.data):
            self.submission.data = str(uuid.uuid4())

    ORDER = ("csrf_token", "respondent_type", "comment", "suggested_wording", "name", "email",
             "may_publish", "website")
    """The order the fields are on the page (see _comment_form.html), for the error summary."""

    def problems(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order the fields appear."""
        found = []
        for field in (getattr(self, name) for name in self.ORDER):
            if field is None or not field.errors:
                continue
            if field.name.endswith("csrf_token"):
                found.append((self.comment.id, "This page was open too long, or your browser did "
                              "not send its security check. We have kept what you wrote: check it "
                              "and send it again."))
            else:
                anchor = f"{field.id}-0" if isinstance(field, RadioField) else field.id
                found.extend((anchor, message) for message in field.errors)
        return found


def _is_key(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


class SignInForm(StrippedForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


MODERATION_ACTIONS = [
    SelectChoice("approve", "Approve: it keeps to the house rules as it is"),
    SelectChoice("redact", "Redact: remove personal details or offensive words, then approve"),
    SelectChoice("hide", "Hide: it breaks the house rules and will not be published"),
]


class ModerateForm(StrippedForm):
    action = RadioField("What do you want to do with this comment?", choices=MODERATION_ACTIONS,
                        validate_choice=False, validators=[OneOf("Choose what to do with the comment")])
    public_body = TextAreaField("The comment as it will be published",
                                validators=[MaxLength(MAX_COMMENT, "The comment")])
    public_wording = TextAreaField("The suggested wording as it will be published",
                                   validators=[MaxLength(MAX_COMMENT, "The suggested wording")])
    reason = RadioField("Which house rule does it break?", validate_choice=False,
                        choices=[SelectChoice(key, label) for key, label in HIDE_REASONS.items()])

    def validate_reason(self, field: RadioField) -> None:
        if self.action.data in ("redact", "hide") and field.data not in HIDE_REASONS:
            raise StopValidation("Choose the house rule the comment breaks")

    def validate_public_body(self, field: TextAreaField) -> None:
        if self.action.data == "redact" and not field.data:
            raise StopValidation("Enter the comment as it will be published")


class ResponseForm(StrippedForm):
    outcome = RadioField("Our response", validate_choice=False,
                         choices=[SelectChoice(key, label) for key, label in OUTCOMES.items()],
                         validators=[OneOf("Choose our response")])
    explanation = TextAreaField("What we did and why", validators=[
        DataRequired("Explain what we did and why"), MaxLength(MAX_COMMENT, "The explanation")])
    section = SelectField("Section whose wording changed", validate_choice=False, default="")

    def __init__(self, sections: Sequence[tuple[str, str]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.section.choices = [SelectChoice("", "No wording changed"),
                                *(SelectChoice(key, title) for key, title in sections)]

    def validate_section(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise StopValidation("Choose a section from the list")


class DayField(DateField):
    """A date (an HTML date input, which sends year-month-day); a wrong one gets plain words."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"Enter {self.label.text.lower()} as a date, like 2027-03-15") from None


class AssistedForm(StrippedForm):
    """A comment received by phone, letter, email, at an event or from an advocate, typed in by
    staff against the section it is about."""

    channel = RadioField("How did the comment reach us?", validate_choice=False,
                         choices=[SelectChoice(key, label) for key, label in CHANNELS.items()
                                  if key != "online"],
                         validators=[OneOf("Choose how the comment reached us")])
    section = SelectField("Which part of the draft is it about?", validate_choice=False, default="")
    respondent_type = RadioField("Who is the person?", validate_choice=False,
                                 validators=[OneOf("Choose who the person is")])
    comment = TextAreaField("Their comment, in their words", validators=[
        DataRequired("Enter their comment"), MaxLength(MAX_COMMENT, "The comment")])
    suggested_wording = TextAreaField("Their suggested wording (optional)",
                                      validators=[MaxLength(MAX_COMMENT, "The suggested wording")])
    name = StringField("Their name (optional)", validators=[MaxLength(MAX_NAME, "The name")])
    email = EmailField("Their email address (optional)", validators=[
        Optional(), MaxLength(MAX_EMAIL, "The email address"),
        Email("Enter an email address in the right format, like name@example.com"),
    ])
    may_publish = RadioField("May we publish the comment without their name?", validate_choice=False,
                             choices=[SelectChoice("yes", "Yes, they agreed"),
                                      SelectChoice("no", "No, or they were not asked")],
                             validators=[OneOf("Choose whether they agreed we may publish it")])
    submission = HiddenField()

    def __init__(self, sections: Sequence[tuple[str, str]], respondents: Sequence[RespondentType],
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.section.choices = [SelectChoice("", WHOLE_DRAFT_TITLE),
                                *(SelectChoice(key, title) for key, title in sections)]
        self.respondent_type.choices = [SelectChoice(kind.value, kind.label) for kind in respondents]
        if not _is_key(self.submission.data):
            self.submission.data = str(uuid.uuid4())

    def validate_section(self, field: SelectField) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise StopValidation("Choose a part of the draft from the list")


class OutcomeForm(StrippedForm):
    decision = RadioField("What did the board decide?", validate_choice=False,
                          choices=[SelectChoice(key, label) for key, label in DECISIONS.items()],
                          validators=[OneOf("Choose what the board decided")])
    approved_version = StringField("The version the board approved",
                                   validators=[MaxLength(10, "The version")])
    decided_on = DayField("The date the board decided")
    summary = TextAreaField("What the board decided and why", validators=[
        DataRequired("Explain what the board decided and why"), MaxLength(MAX_COMMENT, "The explanation")])

    def validate_approved_version(self, field: StringField) -> None:
        if self.decision.data != "withdrawn" and not VERSION.fullmatch(field.data or ""):
            raise StopValidation("Enter the version the board approved, like 1.0")


VERSION = re.compile(r"\d{1,3}(\.\d{1,3}){0,2}")


def _not_after_today(form: FlaskForm, field: DayField) -> None:
    """A date something happened: a public page would otherwise say "Answered on 1 January 2030"."""
    if field.data and field.data > context.clock().today():
        raise StopValidation(f"{field.label.text} is after today; enter the day it happened")


class RecommendationForm(StrippedForm):
    text = TextAreaField("The panel's recommendation", validators=[
        DataRequired("Enter the panel's recommendation"), MaxLength(MAX_COMMENT, "The recommendation")])
    made_on = DayField("The date the panel made it", validators=[_not_after_today])
    response_due = DayField("The date the board must respond by")

    def validate_response_due(self, field: DayField) -> None:
        if self.made_on.data and field.data and field.data < self.made_on.data:
            raise StopValidation("The response date must be on or after the date the panel made it")


class BoardResponseForm(StrippedForm):
    response = TextAreaField("The board's response", validators=[
        DataRequired("Enter the board's response"), MaxLength(MAX_COMMENT, "The response")])
    responded_on = DayField("The date the board responded", validators=[_not_after_today])


class SubscribeForm(StrippedForm):
    """"Tell me when a consultation opens": an email address, and the honeypot comments have."""

    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"), MaxLength(MAX_EMAIL, "Your email address"),
        Email("Enter an email address in the right format, like name@example.com"),
    ])
    website = StringField("Leave this box empty", validators=[_honeypot])

    def problems(self) -> list[tuple[str, str]]:
        return [(field.id, message) for field in (self.email, self.website) for message in field.errors]
