"""The `policy-portal` command: build, serve, check and new.

Each command is a few lines over `policy_portal` (the rules) and `portal.site` (the build), so
what staff run here and what `mkdocs build` does with the hooks can never disagree.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from policy_portal import clock
from policy_portal.checks.changes import change_problems, changed_policies, summary
from policy_portal.checks.example_leftovers import example_leftovers, example_warnings
from policy_portal.checks.plain_english import plain_english_warnings, readability
from policy_portal.checks.reviews import review_warnings
from policy_portal.checks.translation_status import refuse_stale, translation_report
from policy_portal.config.config_file import CONFIG
from policy_portal.config.messages import Words, used_messages
from policy_portal.config.settings import CONSULTATION_PATH
from policy_portal.config.setup import (
    QUESTIONS,
    Details,
    SetupError,
    current_details,
    option,
    staff_names_from,
    write_details,
)
from policy_portal.consultations.rules import STAFF_ROLES, invitation_ends, invitation_problem
from policy_portal.problems import PolicyError
from policy_portal.project import Project, load_project
from policy_portal.reading.history import HistoryUnavailableError
from policy_portal.reading.library import Library
from policy_portal.reading.placeholders import draft_placeholders
from policy_portal.reading.reader import SLUG
from policy_portal.reading.starter import reference_for, slug_for, starter_text
from policy_portal.site.preview import changed_pages
from policy_portal.text.formatting import long_date

if TYPE_CHECKING:
    from flask import Flask


def main(argv: list[str] | None = None) -> int:
    """Run one command. When whoever reads the output stops early (`check | head`), stop quietly."""
    try:
        code = _run(argv)
        sys.stdout.flush()  # here, not at exit, so a reader gone away is caught below
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's documented advice
        return 1
    return code


def make_parser() -> argparse.ArgumentParser:
    """Every command and option; tests/test_docs.py checks the staff guide names each command."""
    parser = argparse.ArgumentParser(prog="policy-portal", description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path.cwd(),
                        help="the folder with mkdocs.yml and policies/ (default: this folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check every policy and list all problems")
    check.add_argument("--base", help="also compare with this branch or commit (as a pull request "
                       "does): a changed text needs a new version; published history stays as it was")
    diff = commands.add_parser("diff", help="summarise, for a pull request, each policy changed since --base")
    diff.add_argument("--base", default="main", help="the branch or commit to compare with (default: main)")
    diff.add_argument("--pages", action="store_true", help="list where the changed policies' pages, large "
                      "print and PDFs are in the built site, instead of the summary")
    build = commands.add_parser("build", help="check the policies and build the site")
    build.add_argument("--site-dir", type=Path, help="where to write the site (default: site/)")
    serve = commands.add_parser("serve", help="build the site and serve it")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, "
                       "this computer only; 0.0.0.0 lets other computers on the network in)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    commands.add_parser("migrate", help="create or upgrade the consultation database")
    invite = commands.add_parser("invite", help="make a personal link for a scrutiny panel member")
    invite.add_argument("policy", help="the policy's file name without .md, for example pets")
    invite.add_argument("--name", required=True, help="the panel member's name, as other members see it")
    invite.add_argument("--base-url", default="http://127.0.0.1:8000",
                        help="the portal's public address (default: http://127.0.0.1:8000)")
    staff = commands.add_parser("staff-add", help="create a staff account for the consultation pages")
    staff.add_argument("email")
    staff.add_argument("--name", required=True, help="their name, as the audit log shows it")
    staff.add_argument("--role", choices=list(STAFF_ROLES), default="moderator",
                       help="; ".join(f"{role}: {does}" for role, does in STAFF_ROLES.items()))
    unlock = commands.add_parser("staff-unlock", help="clear a staff account's failed sign-ins, so "
                                 "every network it was locked out on can sign in again")
    unlock.add_argument("email")
    expired = commands.add_parser(
        "erase-expired", help="erase names and emails kept longer than extra.moderation.retention_days")
    expired.add_argument("--scrub", action="store_true",
                         help="also clear old copies of erased data from the database's files, "
                              "after an erasure that said the database was busy")
    data = commands.add_parser("personal-data", help="export, or erase, what is held about an email address")
    data.add_argument("email")
    data.add_argument("--erase", action="store_true", help="erase the names and email addresses found")
    send = commands.add_parser("send-mail", help="send the email waiting in the outbox (receipts, "
                               "outcomes, new consultations) to SMTP_URL")
    send.add_argument("--forever", action="store_true", help="keep running, sending every few seconds")
    send.add_argument("--retry-failed", action="store_true",
                      help="first try again the messages given up on after too many failures")
    backup = commands.add_parser("backup", help="copy the consultation database while the portal runs")
    backup.add_argument("target", type=Path, help="the file to write, for example backups/2026-11-23.sqlite")
    init = commands.add_parser("init", help="put your association's details into mkdocs.yml, in every "
                               "place they go; asks for each one not given as an option")
    for field, question in QUESTIONS.items():
        init.add_argument(option(field), dest=field, help=question)
    new = commands.add_parser("new", help="write a starter file for a new policy")
    new.add_argument("title", help='the policy\'s title, for example "Complaints Policy"')
    new.add_argument("--category", default="General", help="the home page group it goes in")
    new.add_argument("--owner", default="Head of Governance", help="the job role that owns it")
    new.add_argument("--reference", help="its reference code (default: initials and a number)")
    new.add_argument("--slug", help="its file name without .md, which is also its web address "
                     "(default: made from the title, 'Complaints Policy' -> complaints)")
    word = commands.add_parser("import", help="make a draft policy file from a Word document (.docx)")
    word.add_argument("document", type=Path, help="the Word document, for example Complaints.docx")
    word.add_argument("--slug", help="the policy's file name without .md (default: made from its title)")
    word.add_argument("--earlier-version", metavar="VERSION",
                      help="instead, keep the document as this earlier approved version of the "
                           "policy --slug, in policies/earlier-versions/")
    return parser


def _run(argv: list[str] | None) -> int:
    args = make_parser().parse_args(argv)
    if args.command == "init":
        return init(args, args.project.resolve())
    try:
        return COMMANDS[args.command](args, load_project(args.project))
    except (PolicyError, HistoryUnavailableError) as error:
        print(error, file=sys.stderr)
        return 1


def check(args: argparse.Namespace, project: Project) -> int:
    """Problems fail; warnings (reviews due, plain English) are listed and do not."""
    library = project.library
    refuse_stale(library, project.settings)  # as the build does, if mkdocs.yml says so
    count = len(library.policies)
    print(f"{count} polic{'y' if count == 1 else 'ies'} checked: no problems.")
    print("\nPlain English (reading ease: about 60 or more is plain English):")
    for policy in library:
        result = readability(policy.body)
        longest = result.longest[0][0] if result.longest else 0
        print(f"  {policy.path}: reading ease {result.reading_ease:.0f}, longest sentence {longest} words")
    print_warnings(project)
    print_translations(library)
    if args.base:
        problems = [problem for change in changed_policies(project.root, args.base, library.policies)
                    for problem in change_problems(change, args.base)]
        if problems:
            raise PolicyError(problems)
        print(f"\nCompared with {args.base}: every changed policy has a new version where it needs one.")
    return 0


def print_warnings(project: Project) -> None:
    """What `check` and `build` both say should be fixed but does not stop publishing."""
    library = project.library
    warnings = review_warnings(library, clock.today()) + example_warnings(project.root)
    for policy in library:
        warnings += plain_english_warnings(policy, project.plain_english) + draft_placeholders(policy)
    warnings.sort()
    if warnings:
        print(f"\n{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:")
        print("\n".join(f"  {warning}" for warning in warnings))


def print_translations(library: Library) -> None:
    """Stale and missing translations, and interface words a language's catalogue lacks."""
    if not library.languages.translated:
        return
    lines = translation_report(library)
    for language in library.languages.translated:
        untranslated = Words(language).missing(used_messages())
        if untranslated:
            lines.append(f"{len(untranslated)} of the portal's own phrases are not in "
                         f"{language.english_name} yet (policy_portal/config/locales/{language.code}.po): "
                         + "; ".join(untranslated[:3]))
    names = ", ".join(language.english_name for language in library.languages.translated)
    print(f"\nTranslations ({names}):")
    print("\n".join(f"  {line}" for line in lines) if lines
          else "  Every policy in force is translated and up to date.")


def diff(args: argparse.Namespace, project: Project) -> int:
    library = project.library
    if args.pages:
        print(changed_pages(project.root, args.base, library), end="")
    else:
        print(summary(changed_policies(project.root, args.base, library.policies)), end="")
    return 0


def build(args: argparse.Namespace, project: Project) -> int:
    from portal.site import SiteBuildError, build_site  # MkDocs loads slowly; only build needs it

    site_dir = args.site_dir or project.site
    try:
        build_site(project.config_file, site_dir)
    except SiteBuildError as error:
        print(f"{error}\n\nThe site was not built and nothing was published. Fix the problems "
              "above and build again.", file=sys.stderr)
        return 1
    print(f"Built the site in {site_dir}.")
    print_warnings(project)
    return 0


def serve(args: argparse.Namespace, project: Project) -> int:
    """Build, upgrade the database, and serve site and consultation on one port, for one person."""
    from werkzeug.serving import run_simple

    from consultation.sending import MailSettingsError, start_sender
    from portal.server import PathOnlyLog, create_portal

    args.site_dir = project.site
    if build(args, project) or migrate(args, project):
        return 1
    portal = create_portal(project, args.site_dir, {"SESSION_COOKIE_SECURE": False})  # plain HTTP
    try:
        sender = start_sender(portal.extensions["consultation"])
    except MailSettingsError as error:
        print(f"Not serving: {error}.", file=sys.stderr)
        return 1
    print(f"Serving the portal at http://{args.host}:{args.port}/ (press Ctrl+C to stop).")
    if sender is not None:
        print("Sending email from the outbox while it runs (SMTP_URL is set).")
    run_simple(args.host, args.port, portal, threaded=True, request_handler=PathOnlyLog)
    return 0


def migrate(args: argparse.Namespace, project: Project) -> int:
    from consultation import context

    engine = context.engine(_consultation_app(project))
    print(f"The consultation database is up to date ({engine.url.render_as_string()}).")
    return 0


def invite(args: argparse.Namespace, project: Project) -> int:
    from consultation import context
    from consultation.panel import invite as make_invitation
    from consultation.panel import name_problem

    app = _consultation_app(project)  # staff may invite the panel before anyone has served the app
    with app.app_context():
        policy = context.library().policies.get(args.policy)
        problem = (f"there is no policy called '{args.policy}'" if policy is None
                   else invitation_problem(policy, clock.today()) or name_problem(args.name))
        if problem:
            print(f"No invitation made: {problem}.", file=sys.stderr)
            return 1
        _, token = make_invitation(context.database(), app.secret_key, policy.slug, args.name,
                                   invitation_ends(policy), COMMAND_LINE)
    route = app.url_map.bind("", script_name=CONSULTATION_PATH).build(  # the app's own route
        "consultation.panel_link", {"invitation": token})
    link = args.base_url.rstrip("/") + route
    print(f"Invitation for {args.name} to comment on the draft {policy.title} until the end of "
          f"{long_date(policy.consultation.closes)}:\n\n{link}\n\nSend it to them only: anyone "
          "with the link can comment in their name.")
    return 0


def _consultation_app(project: Project):
    """The consultation app, its database brought up to date, for commands that use it."""
    from consultation import context, create_app
    from consultation.database import upgrade

    app = create_app(project)
    upgrade(context.engine(app))
    return app


def _with_app(project: Project, command: Callable[[Flask], int]) -> int:
    """Run a command with the consultation app, closing its database connections after."""
    from consultation import context

    app = _consultation_app(project)
    try:
        return command(app)
    finally:
        context.engine(app).dispose()


def staff_add(args: argparse.Namespace, project: Project) -> int:
    """The password is typed twice (not shown), or read from standard input when piped."""
    from consultation import auth, context, store

    if sys.stdin.isatty():
        password = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("The same password again: ") != password:
            print("The passwords are not the same. No account was made.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        password_hash = auth.hash_password(password)
    except ValueError as error:
        print(f"No account was made: {error}.", file=sys.stderr)
        return 1
    app = _consultation_app(project)
    with app.app_context():
        db = context.database()
        if store.staff_user_by_email(db, args.email):
            print(f"There is already an account for {args.email}.", file=sys.stderr)
            return 1
        user = store.add_staff_user(db, args.email, args.name, args.role, password_hash)
        store.record(db, COMMAND_LINE, "created staff account", None, auth.actor(user))
        db.commit()
    print(f"Made an account for {args.name} <{user.email}>, with the role {args.role}.")
    return 0


def staff_unlock(args: argparse.Namespace, project: Project) -> int:
    """For someone locked out (or on a new network during a guessing attack): forget the failed
    sign-ins on their account from every network."""
    from consultation import auth, context, store
    from consultation.models import ALL_NETWORKS

    app = _consultation_app(project)
    with app.app_context():
        db = context.database()
        user = store.staff_user_by_email(db, args.email)
        if user is None:
            print(f"There is no staff account for {args.email}.", file=sys.stderr)
            return 1
        cleared = store.clear_sign_in_failures(db, user.id)
        store.record(db, COMMAND_LINE, "cleared failed sign-ins", None,
                     f"{auth.actor(user)}: counts on {len(cleared)} network(s) cleared")
        db.commit()
    if not cleared:
        print(f"There were no failed sign-ins on {auth.actor(user)} to clear.")
        return 0
    print(f"Cleared the failed sign-ins on {auth.actor(user)}; it can be signed in to from anywhere again:")
    for network, failures in cleared:
        limit = auth.FROM_NEW_NETWORKS if network == ALL_NETWORKS else auth.PER_NETWORK
        where = "networks it had not signed in from lately" if network == ALL_NETWORKS else network
        print(f"  {where}: {failures}{' (locked out)' if failures >= limit.failures else ''}")
    return 0


def erase_expired(args: argparse.Namespace, project: Project) -> int:
    return _with_app(project, partial(_erase_expired, args))


def _erase_expired(args: argparse.Namespace, app) -> int:
    from consultation import context, store, subscriptions
    from consultation.database import scrub_erased

    days = context.project(app).moderation.retention_days
    last_kept = clock.today() - dt.timedelta(days=days)
    with app.app_context():
        db = context.database()
        comments = store.personal_data_past(db, last_kept)
        invitations = store.invitations_past(db, last_kept)
        unconfirmed = subscriptions.forget_unconfirmed(db)  # committed with the comments
        scrubbed = store.erase_personal_data(db, comments, COMMAND_LINE,
                                             f"kept {days} days after the consultation closed", invitations)
        if args.scrub and not (comments or invitations):  # erasing scrubs already
            scrubbed = scrub_erased(context.engine(app))
    print(f"Erased names and email addresses from {len(comments)} comment(s) and {len(invitations)} "
          f"panel invitation(s) from consultations that closed before {long_date(last_kept)}, and "
          f"{unconfirmed} email subscription(s) never confirmed.")
    return _scrub_report(scrubbed)


def _scrub_report(scrubbed: bool) -> int:
    """Say so when an old copy of erased data may still be in the database's files."""
    if not scrubbed:
        print("The database was busy (a backup running?), so an old copy of what was erased may "
              "still be in its files. Run `policy-portal erase-expired --scrub` when it is quiet.",
              file=sys.stderr)
    return 0 if scrubbed else 1


def personal_data(args: argparse.Namespace, project: Project) -> int:
    """For a subject access or erasure request: everything stored with that email address."""
    return _with_app(project, partial(_personal_data, args))


def _personal_data(args: argparse.Namespace, app) -> int:
    from consultation import context, store, subscriptions

    with app.app_context():
        db = context.database()
        found = store.comments_with_email(db, args.email)
        if args.erase:
            messages = subscriptions.erase(db, args.email, COMMAND_LINE)  # committed with the comments
            scrubbed = store.erase_personal_data(db, found, COMMAND_LINE, "erasure requested by the person")
            print(f"Erased the name and email address from {len(found)} comment(s), and any "
                  f"subscription and {messages} email(s) to the address.")
            return _scrub_report(scrubbed)
        store.record(db, COMMAND_LINE, "exported personal data", None,  # not the address itself
                     f"{len(found)} comment(s) held with one email address")
        db.commit()
        print(json.dumps([{column.name: _plain(getattr(comment, column.name))
                           for column in comment.__table__.columns} for comment in found],
                         indent=2, ensure_ascii=False))
    return 0


def send_mail(args: argparse.Namespace, project: Project) -> int:
    """Deliver the outbox once (from cron), or until stopped (--forever)."""
    return _with_app(project, partial(_send_mail, args))


def _send_mail(args: argparse.Namespace, app) -> int:
    import threading

    from consultation import context
    from consultation.sending import MailSettingsError, mail_settings, retry_given_up, send_forever, send_once

    try:
        settings = mail_settings(app)
    except MailSettingsError as error:
        print(f"No email sent: {error}.", file=sys.stderr)
        return 1
    if settings is None:
        print("No email sent: set SMTP_URL to the mail server, for example smtp+starttls://user:"
              "password@mail.example.org:587 (see docs/staff/email.md).", file=sys.stderr)
        return 1
    if args.retry_failed:
        with app.app_context():
            print(f"Trying again {retry_given_up(context.database())} message(s) given up on.")
    if args.forever:
        print(f"Sending email to {settings[0]} every few seconds (press Ctrl+C to stop).", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how it stops
            send_forever(lambda: send_once(app, *settings), threading.Event())
        return 0
    done = send_once(app, *settings)
    print(f"Sent {done.sent} email(s).")
    if done.failed:
        print(f"{done.failed} email(s) could not be sent and will be tried again later; the staff "
              "dashboard shows why.", file=sys.stderr)
    return 1 if done.failed else 0


def backup(args: argparse.Namespace, project: Project) -> int:
    """SQLite only: PostgreSQL has its own tool, pg_dump, which the operators' guide shows."""
    from consultation import context, create_app
    from consultation.database import backup_sqlite

    engine = context.engine(create_app(project))
    if engine.dialect.name != "sqlite":
        print("The database is PostgreSQL: back it up with pg_dump, for example\n"
              "  pg_dump --format=custom --file=portal.dump \"$DATABASE_URL\"\n"
              "See docs/staff/operations.md.", file=sys.stderr)
        return 1
    backup_sqlite(engine, args.target)
    print(f"Copied the consultation database to {args.target}.")
    return 0


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


COMMAND_LINE = "command line"


def new(args: argparse.Namespace, project: Project) -> int:
    slug = args.slug or slug_for(args.title)
    if not slug:
        print(f"'{args.title}' has no letters or digits to make a file name from; choose the file "
              "name with --slug, for example --slug rent", file=sys.stderr)
        return 1
    if not SLUG.fullmatch(slug):
        print(f"'{slug}' is not a usable file name; use lower-case words joined by hyphens, "
              "for example --slug staff-social-media", file=sys.stderr)
        return 1
    path = project.policies / f"{slug}.md"
    if path.exists():
        print(f"{path.relative_to(project.root)} already exists; choose another file name with --slug, "
              f"for example --slug {slug}-2, or another title.", file=sys.stderr)
        return 1
    reference = args.reference or reference_for(args.title, project.library)
    path.write_text(starter_text(args.title, reference, args.category, args.owner, clock.today()),
                    encoding="utf-8")
    try:  # the same check as `policy-portal check`, so a starter never begins life broken
        project.read_library()
    except PolicyError as error:
        path.unlink()
        print(f"{error}\n\nNothing was written: change the options and try again.", file=sys.stderr)
        return 1
    print(f"Wrote {path.relative_to(project.root)}. Fill in the summary and the text, then run "
          "`policy-portal check`.")
    return 0


def init(args: argparse.Namespace, project: Path) -> int:
    """Options answer the questions (for scripts); at a terminal, the rest are asked, each offering
    what mkdocs.yml has now; piped, what is not given stays as it is. It takes the folder, not a
    loaded Project: loading checks the very details `init` is there to put right."""
    config = project / CONFIG
    now = current_details(config)
    answers = {}
    for field, question in QUESTIONS.items():
        current = getattr(now, field)
        shown = ", ".join(current) if isinstance(current, tuple) else current
        answer = getattr(args, field)
        if answer is None and sys.stdin.isatty():
            answer = input(f"{question} [{shown}]: ").strip() or None
        answer = shown if answer is None else answer
        answers[field] = staff_names_from(answer) if field == "staff_names" else answer
    try:
        written = write_details(config, Details(**answers))
    except SetupError as error:
        print(f"{error}\n\nNothing was written to {CONFIG}.", file=sys.stderr)
        return 1
    print(f"Wrote your association's details into {CONFIG}:")
    print("\n".join(f"  {line}" for line in written))
    left = example_leftovers(project)
    if left:
        print("\nStill the example association's, to change by hand (see docs/staff/setting-up.md):")
        print("\n".join(f"  {problem}" for problem in left))
    return 0


def import_word(args: argparse.Namespace, project: Project) -> int:
    """Never overwrites: if a file it would write is there, it writes nothing and says so."""
    from policy_portal.importing.draft import import_word as make_file
    from policy_portal.importing.word import WordError

    if args.earlier_version and not args.slug:
        print("Give --slug with --earlier-version: the policy this is an earlier version of.",
              file=sys.stderr)
        return 1
    try:
        imported = make_file(args.document, project.root, args.slug, args.earlier_version)
    except WordError as error:
        print(f"Nothing was imported: {error}.", file=sys.stderr)
        return 1
    images = imported.images
    print(f"Wrote {imported.path.relative_to(project.root)}"
          + (f" and {len(images)} image{'s' if len(images) != 1 else ''} in "
             f"{images[0].parent.relative_to(project.root)}/" if images else "") + ".")
    if imported.not_carried:
        print("\nNot carried over; check these against the document:")
        print("\n".join(f"  - {note}" for note in imported.not_carried))
    if imported.without_alt:
        print("\nImages without alt text (describe each in its square brackets):")
        print("\n".join(f"  - {source}" for source in imported.without_alt))
    if imported.to_fill:
        print(f"\nThe document did not give: {', '.join(imported.to_fill)}.")
    print("\nRun `policy-portal check`: it lists what is still to fill in, with the line of each.")
    return 0


COMMANDS = {"check": check, "diff": diff, "build": build, "serve": serve, "migrate": migrate,
            "invite": invite, "staff-add": staff_add, "staff-unlock": staff_unlock,
            "erase-expired": erase_expired, "personal-data": personal_data, "send-mail": send_mail,
            "backup": backup, "new": new,
            "import": import_word}

if __name__ == "__main__":
    sys.exit(main())
