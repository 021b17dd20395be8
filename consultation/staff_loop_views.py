"""Staff pages that close the consultation loop: typing in a comment received another way,
offering the complaint route, publishing the outcome and tracking the scrutiny panel's
recommendations.

They are routes of the staff blueprint, so `auth.require_staff` runs before each; publishing
an outcome and recording recommendations speak for the board, so only administrators may.
Every change is made by one function of `consultation.actions` (rows, audit entry and commit
together); these views only check forms and show pages.
"""

from __future__ import annotations

import json

from flask import abort, redirect, render_template, request, url_for

from consultation import actions, auth, context, lifecycle, outcomes, store
from consultation.forms import AssistedForm, BoardResponseForm, OutcomeForm, RecommendationForm
from consultation.models import Recommendation
from consultation.staff_views import _posted, blueprint
from policy_portal.consultations.moderation import screen
from policy_portal.consultations.rules import (
    DECISIONS,
    RespondentType,
    Stage,
    allowed_respondents,
)
from policy_portal.reading.policy import Policy
from policy_portal.text.sections import sections


def _policy(slug: str) -> Policy:
    policy = context.library().policies.get(slug)
    if policy is None:
        abort(404)
    return policy


def _problems(*forms) -> list[tuple[str, str]]:
    return [(field.id + ("-0" if field.type == "RadioField" else ""), message)
            for form in forms for field in form for message in field.errors]


@blueprint.route("/assisted/<slug>", methods=["GET", "POST"])
def assisted(slug: str):
    """A comment received by phone, letter, email, at an event or through an advocate. Taken
    while the consultation is open, and after closing day until the outcome is published, for
    letters posted in time; never once the outcome is out."""
    policy = _policy(slug)
    facts = lifecycle.facts(policy)
    if facts["stage"] not in (Stage.OPEN, Stage.ANALYSING, Stage.LATE) or policy.consultation is None:
        return render_template("staff/assisted.html", policy=policy, closed=True, form=None, problems=[]), 409
    form = AssistedForm([(section.key, section.title) for section in sections(policy.body)],
                        allowed_respondents(policy) or tuple(RespondentType))
    if form.validate_on_submit():
        section = next((part for part in sections(policy.body) if part.key == form.section.data), None)
        wording = form.suggested_wording.data if section else None
        screening = screen(form.comment.data, wording or None, context.moderation())
        reference = actions.save_comment(actions.NewComment(
            submission_key=form.submission.data, policy_slug=policy.slug, policy_version=policy.version,
            section_key=section.key if section else None, section_title=section.title if section else None,
            respondent_type=form.respondent_type.data, name=form.name.data or None,
            email=form.email.data or None, body=form.comment.data, suggested_wording=wording or None,
            may_publish=form.may_publish.data == "yes",
            flags=json.dumps([vars(flag) for flag in screening.flags]), screened_body=screening.body,
            screened_wording=screening.wording, consultation_closes=policy.consultation.closes,
            channel=form.channel.data, entered_by=auth.current_user().actor), policy.title)
        return redirect(url_for("staff.assisted", slug=policy.slug, entered=reference), 303)
    problems = _problems(form)
    return render_template("staff/assisted.html", policy=policy, form=form, problems=problems,
                           closed=False, entered=request.args.get("entered")), 400 if problems else 200


@blueprint.post("/comments/<int:comment_id>/complaint-route")
def complaint_route(comment_id: int):
    """Record that the complaint route was offered to the comment's writer (and email them how
    to complain, if they gave an address). The form is only its CSRF token and a button."""
    found = store.comment(context.database(), comment_id) if store.is_row_id(comment_id) else None
    if found is None:
        abort(404)
    if found.complaint_offered_at is None:
        emailed = actions.offer_complaint(found, auth.current_user().actor)
        done = "complaint-emailed" if emailed else "complaint-offered"
    else:
        done = "complaint-offered"
    return redirect(url_for("staff.comment", comment_id=found.id, done=done), 303)


@blueprint.route("/outcome/<slug>", methods=["GET", "POST"])
@auth.require_role("administrator")
def outcome(slug: str):
    policy = _policy(slug)
    db = context.database()
    published = outcomes.outcome(db, policy.slug)
    closes = lifecycle.closing_day(policy)
    form = OutcomeForm()
    error = None
    if published is None and closes is not None and form.validate_on_submit():
        try:
            actions.publish_outcome(policy, decision=form.decision.data,
                                    approved_version=form.approved_version.data or None,
                                    decided_on=form.decided_on.data, summary=form.summary.data, closes=closes,
                                    actor=auth.current_user().actor)
        except outcomes.OutcomeError as problem:
            error = problem
        else:
            return redirect(url_for("staff.outcome", slug=policy.slug), 303)
    problems = _problems(form) + ([(error.field, str(error))] if error else [])
    return render_template("staff/outcome.html", policy=policy, form=form, published=published,
                           closes=closes, decisions=DECISIONS, problems=problems,
                           summary=outcomes.feedback_summary(db, policy.slug),
                           today=context.clock().today()), 400 if problems else 200


@blueprint.route("/recommendations/<slug>", methods=["GET", "POST"])
@auth.require_role("administrator")
def recommendations_page(slug: str):
    policy = _policy(slug)
    db = context.database()
    form = RecommendationForm(prefix="add-", formdata=_posted("add"))
    if _posted("add") and form.validate():
        actions.add_recommendation(policy.slug, form.text.data, form.made_on.data, form.response_due.data,
                                   auth.current_user().actor)
        return redirect(url_for("staff.recommendations_page", slug=policy.slug, done="added"), 303)
    answering, answer_form = None, None
    if request.method == "POST" and "recommendation" in request.form:
        number = request.form.get("recommendation", type=int)
        answering = db.get(Recommendation, number) if store.is_row_id(number) else None
        if answering is None or answering.policy_slug != policy.slug:
            abort(404)
        answer_form = _answer_form(answering.id, request.form)
        if answer_form.validate():
            actions.answer_recommendation(answering, answer_form.response.data,
                                          answer_form.responded_on.data, auth.current_user().actor)
            return redirect(url_for("staff.recommendations_page", slug=policy.slug, done="answered"), 303)
    facts = lifecycle.facts(policy)
    problems = _problems(form, *([answer_form] if answer_form else []))
    return render_template("staff/recommendations.html", policy=policy, form=form,
                           items=facts["recommendations"], answering=answering, answer_form=answer_form,
                           new_answer=lambda number: _answer_form(number, None),
                           problems=problems, done=request.args.get("done")), 400 if problems else 200



def _answer_form(recommendation_id: int, formdata) -> BoardResponseForm:
    """Each recommendation's answer form has its own prefix, so ids on the page never clash."""
    return BoardResponseForm(prefix=f"answer-{recommendation_id}-", formdata=formdata)
