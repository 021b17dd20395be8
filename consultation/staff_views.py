"""The staff pages: sign-in, the moderation queue, one comment, the audit log and the reports.

Every view here is behind `auth.require_staff`; tests list the app's URL map to prove it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.orm import Session, sessionmaker

from consultation import actions, auth, context, filters, panel, store
from consultation.filters import Filters
from consultation.forms import ModerateForm, ResponseForm, SignInForm, clean_text
from consultation.models import Comment
from consultation.paging import page_number, paged
from consultation.report import Report
from consultation.sending import outbox_state
from policy_portal.consultations.moderation import FLAG_LABELS, HIDE_REASONS, Flag
from policy_portal.consultations.rules import (
    CHANNELS,
    OUTCOMES,
    RespondentType,
    invitation_ends,
    invitation_problem,
)
from policy_portal.reading.policy import Policy
from policy_portal.text.sections import WHOLE_DRAFT_TITLE, sections

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
            "respondent_label": lambda value: RespondentType(value).label,
            "whole_draft_title": WHOLE_DRAFT_TITLE}


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            auth.sign_in(form.email.data, form.password.data, request.remote_addr)
        except auth.SignInError as problem:  # shown at the email field too, which is marked invalid
            form.email.errors.append(str(problem))
        else:
            target = auth.safe_next(request.args.get("next")) or "/staff/"
            return redirect(request.script_root + target, 303)
    problems = [(field.id, message) for field in form for message in field.errors]
    return render_template("staff/sign_in.html", form=form, problems=problems), 400 if problems else 200


@blueprint.post("/sign-out")
def sign_out():
    auth.sign_out(auth.current_user())
    return redirect(url_for("staff.sign_in"), 303)


@blueprint.get("/")
def dashboard():
    db = context.database()
    counts = store.counts_by_draft(db)
    waiting = store.count_matching(db, Filters(state="new"))
    return render_template("staff/dashboard.html", consulting=_consulting(counts), counts=counts,
                           waiting=waiting, outbox=outbox_state(db))


@blueprint.get("/queue")
def queue():
    """The comments waiting for a moderator (or, filtered, any comments), a page at a time."""
    db = context.database()
    drafts = {policy.slug: policy.title for policy in _consulting(store.counts_by_draft(db))}
    draft = request.args.get("policy", "")
    offered = filters.choices(context.library().policies.get(draft) if draft in drafts else None, drafts,
                              waiting_first=True)
    chosen, problems = filters.read(request.args, offered)
    page = paged(db, store.moderation_queue(chosen), page_number(request.args))
    return render_template("staff/queue.html", page=page, flags=_flags, offered=offered,
                           labels=filters.LABELS, problems=problems, by_flag=store.count_by_flag(db, chosen),
                           flag_labels=FLAG_LABELS)


@blueprint.route("/comments/<int:comment_id>", methods=["GET", "POST"])
def comment(comment_id: int):
    found = _comment(comment_id)
    policy = context.library().policies.get(found.policy_slug)
    moderating, responding = _posted("moderate"), _posted("respond")
    moderate = ModerateForm(prefix="moderate-", formdata=moderating)
    respond = ResponseForm(_section_choices(policy), prefix="respond-", formdata=responding)
    user = auth.current_user()
    if moderating and moderate.validate():
        actions.moderate(found, moderate.action.data, moderate.reason.data, moderate.public_body.data,
                         moderate.public_wording.data, user.actor)
        return redirect(url_for("staff.comment", comment_id=found.id, done="moderated"), 303)
    if responding and respond.validate():
        actions.respond(found, respond.outcome.data, respond.explanation.data, respond.section.data or None,
                        user.actor)
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
    found, offered, problems = _report(slug)
    return render_template("staff/report.html", report=found, page=found.page(page_number(request.args)),
                           offered=offered, labels=filters.LABELS, problems=problems)


# The downloads are POSTs, whose form carries the CSRF token: a GET would let another site make a
# signed-in moderator's browser download a report (and write to the audit log) with a link or an
# image, which SameSite=Lax cookies still allow. The filters come as the form's hidden fields; a
# GET is refused with 405 (Flask answers it for a route that takes POST alone).


@blueprint.post("/reports/<slug>/comments.csv")
def report_csv(slug: str):
    return _export(slug, Report.csv_chunks, f"{slug}-comments.csv", "text/csv")


@blueprint.post("/reports/<slug>/report.json")
def report_json(slug: str):
    return _export(slug, Report.json_chunks, f"{slug}-report.json", "application/json")


@blueprint.post("/reports/<slug>/what-you-told-us.md")
def told_us(slug: str):
    return _download([_report(slug)[0].told_us()], f"{slug}.md", "text/markdown")


@blueprint.route("/invitations/<slug>", methods=["GET", "POST"])
@auth.require_role("administrator")
def invitations(slug: str):
    policy = _policy(slug)
    problem = invitation_problem(policy, context.clock().today())
    link = None
    name = clean_text(request.form.get("member_name", ""))
    error = None
    if request.method == "POST" and not problem:
        error = panel.name_problem(name)
        if not error:
            _, token = panel.invite(current_app.secret_key, policy.slug, name, invitation_ends(policy),
                                    auth.current_user().actor)
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


def _consulting(counts: dict[str, int]) -> list[Policy]:
    """Drafts out for comment now, and policies that have comments from an earlier consultation."""
    return [policy for policy in context.library() if policy.consultation or counts.get(policy.slug)]


def _report(slug: str) -> tuple[Report, dict[str, dict[str, str]], list[str]]:
    """The report narrowed by the filters (the query string's for the page, the form's for a
    download), the filters' options, and what was wrong with the filters asked for. Reports stay
    available after approval, when the policy file no longer has its dates."""
    db = context.database()
    policy = context.library().policies.get(slug)
    if policy is None or (policy.consultation is None and not store.count_matching(db, Filters(policy=slug))):
        abort(404)
    offered = filters.choices(policy)
    asked = request.form if request.method == "POST" else request.args
    chosen, problems = filters.read(asked, offered, policy=slug)
    return Report(policy, db, chosen), offered, problems


def _export(slug: str, chunks: Callable[[Report], Iterator[str]], filename: str, mimetype: str) -> Response:
    """A download of the filtered report, refused if a filter is not one of the choices: a file
    quietly holding more than was asked for could be sent on by mistake."""
    found, _, problems = _report(slug)
    if problems:
        return Response(" ".join(problems), 400, mimetype="text/plain")
    return _download(_streamed(context.sessions(), found, chunks), filename, mimetype)


def _streamed(sessions: sessionmaker[Session], report: Report,
              chunks: Callable[[Report], Iterator[str]]) -> Iterator[str]:
    """A download written as it is sent, from a database session of its own that is open only
    while it is being written: the request's session ends with the request, as for any page, and
    a download never read (a client that took only the headers) holds no connection or lock."""
    with sessions() as db:
        yield from chunks(Report(report.policy, db, report.filters))


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


def _download(chunks: Iterable[str], filename: str, mimetype: str) -> Response:
    """A report file, with its download in the audit log: it leaves the system. Sent as it is
    written, so a download of 100,000 comments needs no more memory than one of 10. Flask adds
    `charset=utf-8` to text types itself."""
    actions.record(auth.current_user().actor, "downloaded", filename)
    return Response(chunks, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
