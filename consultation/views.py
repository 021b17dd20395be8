"""The public pages: open consultations, a draft with its comment forms, and panel links.

Every rule about who may comment and when comes from `policy_portal.consultations.rules`; these
views only ask it, show the answer and store what the rules allow.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from markupsafe import Markup

from consultation import actions, context, draft_cache, lifecycle, outcomes, panel, published_cache, store
from consultation.forms import CommentForm
from consultation.models import PanelInvitation
from consultation.paging import PAGE_SIZE, Page, page_number
from policy_portal.consultations.moderation import screen
from policy_portal.consultations.rules import (
    OUTCOMES,
    RespondentType,
    WindowState,
    allowed_respondents,
    outcome_due,
    panel_only,
    window_state,
)
from policy_portal.reading.policy import Policy
from policy_portal.text.formatting import long_date
from policy_portal.text.sections import WHOLE_DRAFT, WHOLE_DRAFT_TITLE, Section, sections

blueprint = Blueprint("consultation", __name__)
SESSION_PANEL = "panel_invitation"
PANEL_TOKEN = "invitation"
"""The panel link carries its token in the query string, which the access-log formats in the
operators' guide leave out, so the link never lands in a log."""
RECEIPT = "reference"
"""The query-string name for the reference the "Comment sent" page shows: kept out of access logs
too, so a log line's address and time are never tied to a comment by its reference."""


blueprint.add_app_template_filter(long_date, "long_date")


@blueprint.app_context_processor
def _site() -> dict:
    return {"association": context.association(), "site_root": context.site_root(),
            "complaints_url": context.policy_page(context.COMPLAINTS_POLICY)}


@blueprint.get("/")
def index():
    today = context.clock().today()
    states = [(policy, window_state(policy, today)) for policy in context.library()]
    return render_template("consultation/index.html",
                           open_now=[policy for policy, state in states if state is WindowState.OPEN],
                           upcoming=[policy for policy, state in states if state is WindowState.NOT_YET_OPEN],
                           closed=[policy for policy, state in states if state is WindowState.CLOSED],
                           decided=[(outcome, context.library().policies[outcome.policy_slug])
                                    for outcome in outcomes.published(context.database())
                                    if outcome.policy_slug in context.library().policies])


@blueprint.get("/<slug>/")
def consultation(slug: str):
    policy = _policy(slug)
    refusal = _not_open(policy)
    if refusal:
        return render_template("consultation/not_open.html", policy=policy, reason=refusal,
                               published_comments=Markup(_published_block(policy, sections(policy.body))),
                               **lifecycle.facts(policy))
    return _page(policy)


@blueprint.post("/<slug>/comment/<key>")
def comment(slug: str, key: str):
    policy = _policy(slug)
    refusal = _not_open(policy)
    if refusal:
        return refused(policy, key, refusal), 403
    section = _section(policy, key)
    if section is None and key != WHOLE_DRAFT:
        return refused(policy, key, "The draft was changed while you were writing: the section "
                       "you commented on has been renamed or removed. Please read the draft again "
                       "and send your comment on the section as it is now."), 409
    member = _panel_member(policy)
    form = _form(policy, member, key, posted=True)
    if not form.validate():
        return _page(policy, {key: form}), 400
    wording = form.suggested_wording.data if section else None  # the general form has no such field
    screening = screen(form.comment.data, wording or None, context.moderation())
    reference = actions.save_comment(actions.NewComment(
        submission_key=form.submission.data,
        policy_slug=policy.slug,
        policy_version=policy.version,
        section_key=section.key if section else None,
        section_title=section.title if section else None,
        respondent_type=RespondentType.PANEL if member else form.respondent_type.data,
        name=member.member_name if member else form.name.data or None,
        email=form.email.data or None,
        body=form.comment.data,
        suggested_wording=wording or None,
        may_publish=form.may_publish.data == "yes",
        flags=json.dumps([vars(flag) for flag in screening.flags]),
        screened_body=screening.body,
        screened_wording=screening.wording,
        consultation_closes=policy.consultation.closes,
        panel_invitation_id=member.id if member else None,
    ), policy.title)
    return redirect(url_for(".sent", slug=policy.slug, **{RECEIPT: reference}), 303)


@blueprint.get("/<slug>/thank-you")
def sent(slug: str):
    """The receipt for a comment just sent, found by the reference the redirect carries.

    The reference travels in the address, not the session: a POST that changes nothing in the
    session sends no new session cookie, and signing one was about a tenth of a comment POST's
    CPU time (issue 21; `bench/request_cpu.py`). The page shows only what the address already
    holds (the reference) and the section's title, only for a comment stored on this draft in
    the last `PERMANENT_SESSION_LIFETIME` (as long as the session's receipt was kept, so an
    address left in a shared computer's history soon shows nothing), and tells no other site
    its address (`no-referrer`), as the address must not reach their logs.
    """
    policy = _policy(slug)
    reference = request.args.get(RECEIPT, "")
    since = context.clock().now() - current_app.config["PERMANENT_SESSION_LIFETIME"]
    receipt = (store.receipt(context.database(), policy.slug, reference, since)
               if actions.is_reference(reference) else None)
    if receipt is None:
        return redirect(url_for(".consultation", slug=policy.slug))
    return render_template("consultation/sent.html", policy=policy, receipt=receipt,
                           outcome_due=outcome_due(policy.consultation.closes, context.outcome_weeks())), \
        {"Referrer-Policy": "no-referrer"}


@blueprint.get("/<slug>/recommendations")
def recommendations(slug: str):
    """The tenant scrutiny panel's recommendations about a policy, and the board's responses."""
    policy = _policy(slug)
    return render_template("consultation/recommendations.html", policy=policy,
                           recommendations=lifecycle.facts(policy)["recommendations"])


@blueprint.get("/panel/")
def panel_link():
    """The page a panel member's invitation link opens. Opening it changes nothing: a link can be
    opened by a browser's preview, or by someone tricked into it while signed in as staff. The
    panel session starts only when they press the button (a POST with the form's token)."""
    invitation, refusal = _invitation(request.args.get(PANEL_TOKEN, ""))
    if refusal:
        return refusal
    page = render_template("consultation/panel_start.html", invitation=invitation,
                           policy=context.library().policies[invitation.policy_slug],
                           token=request.args[PANEL_TOKEN])
    return page, {"Referrer-Policy": "no-referrer"}  # the address holds the token


@blueprint.post("/panel/")
def start_panel():
    invitation, refusal = _invitation(request.form.get(PANEL_TOKEN, ""))
    if refusal:
        return refusal
    session.clear()  # a fresh session for the panel member: nothing carried over from before
    session[SESSION_PANEL] = invitation.id
    return redirect(url_for(".consultation", slug=invitation.policy_slug), 303)


def _invitation(token: str) -> tuple[PanelInvitation | None, tuple[str, int] | None]:
    """The invitation a link's token stands for, or the page that says why it cannot be used."""
    try:
        invitation = store.invitation(context.database(), panel.read(current_app.secret_key, token))
    except panel.InvalidLinkError:
        invitation = None
    if invitation is None:
        return None, (render_template("consultation/panel_link.html", problem="invalid"), 400)
    policy = context.library().policies.get(invitation.policy_slug)
    if not panel.is_current(invitation.expires_at, context.clock().now()):
        return None, (render_template("consultation/panel_link.html", problem="expired", policy=policy,
                                      last_day=panel.last_day(invitation.expires_at)), 410)
    if policy is None or policy.consultation is None:
        return None, (render_template("consultation/panel_link.html", problem="gone"), 410)
    return invitation, None


@blueprint.post("/<slug>/leave-panel")
def leave_panel(slug: str):
    """For a shared computer: the next person is not taken for the panel member."""
    session.pop(SESSION_PANEL, None)
    return redirect(url_for(".consultation", slug=_policy(slug).slug), 303)


def refused(policy: Policy, key: str, reason: str) -> str:
    """The page for a comment we could not take, with the person's words shown back to them."""
    prefix = f"{key}-"
    kept = [(label, request.form.get(prefix + name, "").strip())
            for name, label in (("comment", "Your comment"), ("suggested_wording", "Your suggested wording"))]
    return render_template("consultation/refused.html", policy=policy, reason=reason,
                           kept=[(label, text) for label, text in kept if text])


def _policy(slug: str) -> Policy:
    policy = context.library().policies.get(slug)
    if policy is None:
        abort(404)
    return policy


def _section(policy: Policy, key: str) -> Section | None:
    """The section with this key; None for the whole draft or a section that is not there now."""
    return next((section for section in sections(policy.body) if section.key == key), None)


def _not_open(policy: Policy) -> str | None:
    """Why nobody (or not this person) can comment now, in words for them; None when they can."""
    state = window_state(policy, context.clock().today())
    window = policy.consultation
    if state is WindowState.NOT_CONSULTING:
        return f"The {policy.title} is not open for comments."
    if state is WindowState.NOT_YET_OPEN:
        return (f"Comments on this draft open on {long_date(window.opens)} and close on "
                f"{long_date(window.closes)}.")
    if state is WindowState.CLOSED:
        return f"Comments on this draft closed on {long_date(window.closes)}."
    if panel_only(policy) and not _panel_member(policy):
        return ("Only members of the tenant scrutiny panel are asked to comment on this draft. "
                "If you are on the panel, open the link in your invitation.")
    return None


def _panel_member(policy: Policy) -> PanelInvitation | None:
    """The panel invitation this browser signed in with, if it is for this draft and current.
    Looked up once a request."""
    if "panel_member" not in g:
        g.panel_member = _session_invitation()
    member = g.panel_member
    return member if member is not None and member.policy_slug == policy.slug else None


def _session_invitation() -> PanelInvitation | None:
    invitation_id = session.get(SESSION_PANEL)
    if not store.is_row_id(invitation_id):  # absent, or not what this app ever stores
        session.pop(SESSION_PANEL, None)
        return None
    invitation = store.invitation(context.database(), invitation_id)
    if invitation is None or not panel.is_current(invitation.expires_at, context.clock().now()):
        session.pop(SESSION_PANEL, None)
        return None
    return invitation


def _form(policy: Policy, member: PanelInvitation | None, key: str, posted: bool) -> CommentForm:
    respondents = () if member else allowed_respondents(policy)
    return CommentForm(respondents, section=key != WHOLE_DRAFT, prefix=f"{key}-",
                       formdata=None if not posted else request.form)


def _page(policy: Policy, posted: dict[str, CommentForm] | None = None):
    """The draft, section by section, each with its form; `posted` is a form sent back with errors.
    For a visitor who is not on the panel the whole page comes from the draft cache, with the
    published comments read and put in for every request; for a panel member, whose page names
    them, the draft and its forms do. A page with a form sent back is rendered afresh and never
    kept, so nobody's words or errors reach anyone else."""
    member = _panel_member(policy)
    drafted = sections(policy.body)
    problems = [problem for form in (posted or {}).values() for problem in form.problems()]
    published = Markup(render_template("consultation/_published.html", **_published(policy, drafted))
                       if posted else _published_block(policy, drafted))

    def forms() -> list[CommentForm]:
        return [(posted or {}).get(key) or _form(policy, member, key, posted=False)
                for key in (*(section.key for section in drafted), WHOLE_DRAFT)]

    def draft(made: list[CommentForm]) -> Markup:
        return Markup(render_template("consultation/_draft.html", policy=policy, general=made[-1],
                                      parts=[(section, Markup(section.html()), form)
                                             for section, form in zip(drafted, made, strict=False)]))

    def page(draft: Markup, published: Markup, comments: Page | None = None) -> str:
        return render_template("consultation/policy.html", policy=policy, draft=draft, problems=problems,
                               member=member, panel_comments=comments, published_comments=published)

    cache = draft_cache.cache(current_app)
    if posted:
        return page(draft(forms()), published)
    if member:
        number = page_number(request.args, PANEL_PAGE)
        return page(cache.render(_draft_key(policy, member), forms, lambda made, _: draft(made)), published,
                    store.panel_comments(context.database(), policy.slug, number))
    return cache.render(_page_key(policy), forms, lambda made, slot: page(draft(made), slot), published)


PANEL_PAGE = "panel-page"
"""The query-string name for the page of panel comments: `page` is the published comments'."""


def _draft_key(policy: Policy, member: PanelInvitation | None) -> tuple:
    """Everything the draft and its empty forms depend on (see `consultation.draft_cache`)."""
    today = context.clock().today()
    return (policy.slug, policy.version, policy.body, policy.consultation, today,
            window_state(policy, today), member is not None, request.script_root)


def _page_key(policy: Policy) -> tuple:
    """Everything a whole page for someone not on the panel depends on, but the published
    comments: the draft's key, what the page says of the policy around it, and what every page
    shows (`_site`), such as whether the library has a complaints policy to link to."""
    return (*_draft_key(policy, None), "page", policy.title, policy.summary, policy.reference,
            *_site().values())


def _published_block(policy: Policy, drafted: tuple[Section, ...]) -> str:
    """The published comments as rendered, kept for a moment (see `consultation.published_cache`)
    under everything the render depends on: the address the app is served under, this page's
    endpoint and arguments, the whole query string (the pager repeats it in its links) and the
    draft's version and sections."""
    key = (request.script_root, request.endpoint, policy.slug, policy.version,
           tuple((section.key, section.title) for section in drafted), request.query_string)
    return published_cache.cache(current_app).render(
        key, lambda: render_template("consultation/_published.html", **_published(policy, drafted)))


def _published(policy: Policy, drafted: tuple[Section, ...]) -> dict:
    """What the public may see of the comments so far: those moderated and agreed, a page at a
    time and, with `?section=`, on one section; and how many there are, counted by the database.
    The request's database session is opened only when there are comments to show."""
    choices = [(section.key, section.title) for section in drafted] + [(WHOLE_DRAFT, WHOLE_DRAFT_TITLE)]
    asked = request.args.get("section", "")
    section = asked if asked in dict(choices) else None
    total, published_total = store.comment_counts(context.single_reads(), policy.slug)
    number = page_number(request.args)
    published = (store.published_comments(context.database(), policy.slug, section, number, published_total)
                 if published_total else Page([], 1, PAGE_SIZE, 0))
    return {"published": published, "outcomes": OUTCOMES, "section": section, "section_choices": choices,
            "section_title": "the whole draft" if section == WHOLE_DRAFT else dict(choices).get(section),
            "unknown_section": bool(asked) and section is None, "published_total": published_total,
            "total": total}
