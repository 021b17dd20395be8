"""The public pages for emails about new consultations: ask for them, confirm, unsubscribe.

Opening a link from an email changes nothing (mail scanners and browser previews open links):
each link's page has a button that does it. The one exception is the unsubscribe address's POST,
which mail programs call without a page (see `unsubscribe`).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from consultation import context, outbox, subscriptions
from consultation.forms import SubscribeForm

blueprint = Blueprint("subscriptions", __name__)


@blueprint.route("/subscribe", methods=["GET", "POST"])
def subscribe():
    form = SubscribeForm()
    if not form.is_submitted():
        return render_template("subscriptions/subscribe.html", form=form, problems=[])
    if not form.validate():
        return render_template("subscriptions/subscribe.html", form=form, problems=form.problems()), 400
    outbox.subscribe(form.email.data)
    return redirect(url_for(".check_email"), 303)


@blueprint.get("/subscribe/check-your-email")
def check_email():
    return render_template("subscriptions/check_email.html")


@blueprint.get("/subscribe/confirm/<token>")
def confirm_page(token: str):
    """Not for an address that has since unsubscribed: its button could only fail."""
    found = subscriptions.by_token(context.database(), token)
    return _token_page("confirm", token, None if found and found.unsubscribed_at else found)


@blueprint.post("/subscribe/confirm/<token>")
def confirm(token: str):
    return _token_page("confirmed", token, outbox.confirm_subscription(token))


@blueprint.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    return _token_page("unsubscribe", token, subscriptions.by_token(context.database(), token))


@blueprint.post("/unsubscribe/<token>")
def unsubscribe(token: str):
    """RFC 8058 one-click unsubscribe, and the page's button. Exempt from the CSRF check (see
    `security.ONE_CLICK`): a mail program posts here with no form token, and the link's own
    random token is what proves the request comes from the mailbox's owner."""
    return _token_page("unsubscribed", token, outbox.unsubscribe(token))


def _token_page(name: str, token: str, found: object):
    """A page whose address holds a subscription's token: not found for a token that is not
    ours; the address is never sent on to another site as a Referer."""
    if not found:
        abort(404)
    return render_template(f"subscriptions/{name}.html", token=token), {"Referrer-Policy": "no-referrer"}
