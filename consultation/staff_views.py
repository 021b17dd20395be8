"""The staff pages: sign-in, the moderation queue, one comment, the audit log and the reports.

Every view here is behind `auth.require_staff`; tests list the app's URL map to prove it.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from consultation import auth, context, panel, store
from consultation.forms import ModerateForm, ResponseForm, SignInForm, clean_text
from consultation.models import Comment
from consultation.report import Report
from consultation.sending import outbox_state
from policy_portal import clock
from policy_portal.consultations.moderation import HIDE_REASONS, Flag
from policy_portal.consultations.rules import (
    CHANNELS,
    OUTCOMES,
    RespondentType,
    invitation_ends,
    invitation_problem,
)
from policy_portal.reading.policy import Policy
from policy_portal.text.sections import sections

blueprint = Blueprint("staff", __name__, url_prefix="/staff")
blueprint.before_request(auth.require_staff)


@blueprint.after_request
def _never_cache(response: Response) -> Response:
    """Staff pages and downloads hold comments and personal details: no browser or proxy keeps them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.app_context_processor
def _staff_helpers() -> dict:
    return {"current_staff": auth.current_user,
            "respondent_label": lambda value: RespondentType(value).label}


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            auth.sign_in(context.database(), form.email.data, form.password.data, request.remote_addr)
        except auth.SignInError as problem:  # shown at the email field too, which is marked invalid
            form.email.errors.append(str(problem))
        else:
            target = auth.safe_next(request.args.get("next")) or "/staff/"
            return redirect(request.script_root + target, 303)
    problems = [(field.id, message) for field in form for message in field.errors]
    return render_template("staff/sign_in.html", form=form, problems=problems), 400 if problems else 200


@blueprint.post("/sign-out")
def sign_out():
    user = auth.current_user()
    store.record(context.database(), auth.actor(user), "signed out", None, "")
    auth.sign_out(context.database(), user)
    return redirect(url_for("staff.sign_in"), 303)


@blueprint.get("/")
def dashboard():
    db = context.database()
    counts = {policy.slug: store.comment_count(db, policy.slug) for policy in context.library()}
    consulting = [policy for policy in context.library() if policy.consultation or counts[policy.slug]]
    return render_template("staff/dashboard.html", consulting=consulting, counts=counts,
                           waiting=len(store.moderation_queue(db)), outbox=outbox_state(db))


@blueprint.get("/queue")
def queue():
    waiting = store.moderation_queue(context.database())
    return render_template("staff/queue.html", comments=waiting, flags=_flags)


@blueprint.route("/comments/<int:comment_id>", methods=["GET", "POST"])
def comment(comment_id: int):
    db = context.database()
    found = _comment(comment_id)
    policy = context.library().policies.get(found.policy_slug)
    moderating, responding = _posted("moderate"), _posted("respond")
    moderate = ModerateForm(prefix="moderate-", formdata=moderating)
    respond = ResponseForm(_section_choices(policy), prefix="respond-", formdata=responding)
    user = auth.current_user()
    if moderating and moderate.validate():
        _moderate(found, moderate, auth.actor(user))
        db.commit()
        return redirect(url_for("staff.comment", comment_id=found.id, done="moderated"), 303)
    if responding and respond.validate():
        found.response_outcome, found.response_text = respond.outcome.data, respond.explanation.data
        found.response_section, found.responded_at = respond.section.data or None, store.now()
        store.record(db, auth.actor(user), "responded", found.id,  # the text stays on the comment
                     f"{found.reference}: {OUTCOMES[found.response_outcome]}")
        db.commit()
        return redirect(url_for("staff.comment", comment_id=found.id, done="responded"), 303)
    _prefill(found, None if moderating else moderate, None if responding else respond)
    problems = [(field.id + ("-0" if field.type == "RadioField" else ""), message)
                for form in (moderate, respond) for field in form for message in field.errors]
    return render_template("staff/comment.html", comment=found, policy=policy, moderate=moderate,
                           respond=respond, flags=_flags(found), problems=problems,
                           hide_reasons=HIDE_REASONS, outcomes=OUTCOMES, channels=CHANNELS,
                           done=request.args.get("done")), 400 if problems else 200


@blueprint.get("/audit")
def audit():
    return render_template("staff/audit.html", entries=store.audit_log(context.database()))


@blueprint.get("/reports/<slug>/")
def report(slug: str):
    return render_template("staff/report.html", report=_report(slug), outcomes=OUTCOMES)


@blueprint.get("/reports/<slug>/comments.csv")
def report_csv(slug: str):
    return _download(_report(slug).as_csv(), f"{slug}-comments.csv", "text/csv")


@blueprint.get("/reports/<slug>/report.json")
def report_json(slug: str):
    body = json.dumps(_report(slug).as_json(), indent=2, ensure_ascii=False)
    return _download(body, f"{slug}-report.json", "application/json")


@blueprint.get("/reports/<slug>/what-you-told-us.md")
def told_us(slug: str):
    return _download(_report(slug).told_us(), f"{slug}.md", "text/markdown")


@blueprint.route("/invitations/<slug>", methods=["GET", "POST"])
@auth.require_role("administrator")
def invitations(slug: str):
    policy = _policy(slug)
    problem = invitation_problem(policy, clock.today())
    link = None
    name = clean_text(request.form.get("member_name", ""))
    error = None
    if request.method == "POST" and not problem:
        error = panel.name_problem(name)
        if not error:
            _, token = panel.invite(context.database(), current_app.secret_key, policy.slug, name,
                                    invitation_ends(policy), auth.actor(auth.current_user()))
            link = url_for("consultation.panel_link", invitation=token, _external=True)
    return render_template("staff/invitations.html", policy=policy, problem=problem, link=link,
                           name=name, error=error), 400 if error else 200


def _posted(prefix: str):
    """The form data if this form was the one sent, so the other form on the page stays empty."""
    if request.method == "POST" and f"{prefix}-csrf_token" in request.form:
        return request.form
    return None


def _comment(comment_id: int) -> Comment:
    found = store.comment(context.database(), comment_id) if store.is_row_id(comment_id) else None
    if found is None:
        abort(404)
    return found


def _policy(slug: str) -> Policy:
    policy = context.library().policies.get(slug)
    if policy is None or policy.consultation is None:
        abort(404)
    return policy


def _report(slug: str) -> Report:
    """Reports stay available after approval, when the policy file no longer has its dates."""
    policy = context.library().policies.get(slug)
    comments = store.comments_on(context.database(), slug) if policy else []
    if policy is None or (policy.consultation is None and not comments):
        abort(404)
    return Report(policy, comments)


def _section_choices(policy: Policy | None) -> list[tuple[str, str]]:
    return [(section.key, section.title) for section in sections(policy.body)] if policy else []


def _flags(comment: Comment) -> list[Flag]:
    return [Flag(**flag) for flag in json.loads(comment.flags)]


def _prefill(found: Comment, moderate: ModerateForm | None, respond: ResponseForm | None) -> None:
    """Fill the forms not sent back with errors: the automatic check's redaction made when the
    comment arrived (or the redaction a moderator made since), and any earlier response."""
    if moderate:
        moderate.public_body.data = (found.public_body if found.public_body is not None
                                     else found.screened_body)
        if found.suggested_wording:
            moderate.public_wording.data = (found.public_wording if found.public_wording is not None
                                            else found.screened_wording)
    if respond:
        respond.outcome.data = found.response_outcome
        respond.explanation.data = found.response_text
        respond.section.data = found.response_section or ""


def _moderate(found: Comment, form: ModerateForm, actor: str) -> None:
    action = form.action.data
    found.moderated_at = store.now()
    found.moderation = "hidden" if action == "hide" else "approved"
    found.rule_broken = form.reason.data if action in ("redact", "hide") else None
    if action == "redact":  # an emptied wording box means the wording is not published at all
        found.public_body = form.public_body.data
        found.public_wording = form.public_wording.data if found.suggested_wording else None
    # approving keeps any earlier redaction: undoing one is a redaction back to the original
    why = f"; reason: {HIDE_REASONS[found.rule_broken]}" if found.rule_broken else ""
    store.record(context.database(), actor, {"approve": "approved", "redact": "redacted",
                                             "hide": "hid"}[action], found.id,
                 f"{found.reference}{why}")


def _download(body: str, filename: str, mimetype: str) -> Response:
    """A report file, with its download in the audit log: it leaves the system. Flask adds
    `charset=utf-8` to text types itself."""
    store.record(context.database(), auth.actor(auth.current_user()), "downloaded", None, filename)
    context.database().commit()
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
