"""The `policy-portal` command: build, serve, check and new.

Each command is a few lines over `policy_portal` (the rules) and `portal.site` (the build), so
what staff run here and what `mkdocs build` does with the hooks can never disagree.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from contextlib import nullcontext
from pathlib import Path

from policy_portal.checks.changes import change_problems, changed_policies, earlier_version_problems, summary
from policy_portal.checks.example_leftovers import example_leftovers, example_warnings
from policy_portal.checks.images import missing_images
from policy_portal.checks.plain_english import plain_english_warnings, readability
from policy_portal.checks.reviews import review_warnings
from policy_portal.checks.translation_status import refuse_stale, translation_report
from policy_portal.clock import Clock
from policy_portal.config.config_file import CONFIG
from policy_portal.config.environment import SettingsError
from policy_portal.config.messages import Words, used_messages
from policy_portal.config.setup import (
    QUESTIONS,
    Details,
    SetupError,
    current_details,
    option,
    staff_names_from,
    write_details,
)
from policy_portal.consultations.rules import STAFF_ROLES
from policy_portal.formats.build import IMAGES as POLICY_PAGES
from policy_portal.problems import PolicyError
from policy_portal.project import Project, load_project
from policy_portal.reading.history import HistoryUnavailableError, unpublished_versions
from policy_portal.reading.library import Library
from policy_portal.reading.placeholders import draft_placeholders
from policy_portal.reading.reader import SLUG
from policy_portal.reading.starter import reference_for, slug_for, starter_text
from policy_portal.site.preview import changed_pages


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
    build.add_argument("--force", action="store_true", help="build even when nothing has changed since "
                       "the last build (otherwise the site, still up to date, is left as it is)")
    build.add_argument("--quiet", action="store_true", help="show no progress, only warnings, errors and "
                       "the summary (for cron)")
    serve = commands.add_parser("serve", help="build the site and serve it")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, "
                       "this computer only; 0.0.0.0 lets other computers on the network in)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    commands.add_parser("migrate", help="create or upgrade the consultation database")
    invite = commands.add_parser("invite", help="make a personal link for a scrutiny panel member")
    invite.add_argument("policy", help="the policy's file name without .md, for example pets")
    invite.add_argument("--name", required=True, help="the panel member's name, as other members see it")
    invite.add_argument("--base-url", help="the portal's public address, such as "
                        "https://policies.example.org (default: site_url and extra.consultation_url "
                        "in mkdocs.yml)")
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
    except SettingsError as error:  # a setting the app cannot start with, for any command that opens it
        print(f"{error}.", file=sys.stderr)
        return 1


def check(args: argparse.Namespace, project: Project) -> int:
    """Problems fail; warnings (reviews due, plain English) are listed and do not."""
    library = project.library
    refuse_stale(library, project.settings)  # as the build does, if mkdocs.yml says so
    missing = missing_images(project.root, project.docs / POLICY_PAGES)
    if missing:  # the build would stop at them too
        raise PolicyError(missing)
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
        problems += earlier_version_problems(project.root, args.base)
        if problems:
            raise PolicyError(problems)
        print(f"\nCompared with {args.base}: every changed policy has a new version where it needs one.")
    return 0


def print_warnings(project: Project) -> int:
    """What `check` and `build` both say should be fixed but does not stop publishing; how many."""
    text, count = warnings_report(project)
    print(text, end="")
    return count


def warnings_report(project: Project) -> tuple[str, int]:
    """The warnings `print_warnings` prints, as text, and how many."""
    library = project.library
    warnings = review_warnings(library, Clock.from_environment().today()) + example_warnings(project.root)
    for policy in library:
        warnings += plain_english_warnings(policy, project.plain_english) + draft_placeholders(policy)
    warnings.sort()
    if not warnings:
        return "", 0
    return (f"\n{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:\n"
            + "".join(f"  {warning}\n" for warning in warnings)), len(warnings)


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
    """Progress on standard error while it works (none with --quiet); the summary, last, on
    standard output. Nothing is built when the site is up to date, unless --force."""
    from policy_portal.site.up_to_date import build_inputs, record_build, up_to_date
    from portal.progress import Summary, showing
    from portal.site import CODE, SiteBuildError, build_site  # MkDocs loads slowly; only build needs it

    started, summary = time.perf_counter(), Summary()
    site_dir = args.site_dir or project.site
    inputs = build_inputs(project.root, project.sources, project.config_variables, CODE, site_dir)
    last = None if getattr(args, "force", False) else up_to_date(project.cache, inputs, site_dir)
    if last is not None:
        print(last.report, end="")
        print_summary(f"Nothing changed since the last build at {last.when()}; "
                      f"{_shown(site_dir, project.root)} is up to date.", [], last.warnings, started)
        return 0
    try:
        with (nullcontext(summary) if getattr(args, "quiet", False) else showing(sys.stderr, summary)
              ) as progress:
            build_site(project.config_file, site_dir, progress)
    except SiteBuildError as error:
        print(f"{error}\n\nThe site was not built and nothing was published. Fix the problems "
              "above and build again.", file=sys.stderr)
        return 1
    report, warnings = warnings_report(project)
    unpublished = unpublished_versions(project.root)
    if unpublished:  # the hooks log it where only `mkdocs build` shows it
        report += f"\n{unpublished}\n"
        warnings += 1
    print(report, end="")
    record_build(project.cache, inputs, site_dir, report, warnings)
    print_summary(f"Built the site in {site_dir}.", summary.lines(), warnings, started)
    return 0


def _shown(site_dir: Path, root: Path) -> str:
    """site/ for the project's own site folder; another folder by its whole path."""
    site_dir = site_dir.resolve()
    return f"{site_dir.relative_to(root).as_posix()}/" if site_dir.is_relative_to(root) else f"{site_dir}/"


def print_summary(done: str, made: list[str], warnings: int, started: float) -> None:
    """The lines that end `build` and `import`, in one shape: what was made (and reused), how
    many warnings, how long it took."""
    print(f"\n{done}")
    for line in [*made, f"Warnings: {warnings}{', listed above' if warnings else ''}.",
                 f"Time taken: {time.perf_counter() - started:.1f} seconds."]:
        print(f"  {line}")


def serve(args: argparse.Namespace, project: Project) -> int:
    """Build, upgrade the database, and serve site and consultation on one port, for one person."""
    from werkzeug.serving import run_simple

    from consultation.sending import start_sender
    from portal.server import PathOnlyLog, create_portal

    args.site_dir = project.site
    if build(args, project) or migrate(args, project):
        return 1
    portal = create_portal(project, args.site_dir, {"SESSION_COOKIE_SECURE": False})  # plain HTTP
    sender = start_sender(portal.extensions["consultation"])
    print(f"Serving the portal at http://{args.host}:{args.port}/ (press Ctrl+C to stop).")
    if sender is not None:
        print("Sending email from the outbox while it runs (SMTP_URL is set).")
    run_simple(args.host, args.port, portal, threaded=True, request_handler=PathOnlyLog)
    return 0


def migrate(args: argparse.Namespace, project: Project) -> int:
    from consultation import commands

    return _on_database(project, commands.migrate)


def invite(args: argparse.Namespace, project: Project) -> int:
    """Staff may invite the panel before anyone has served the app: the database is made here."""
    from consultation import commands

    return _on_database(project, lambda app: commands.invite(app, args.policy, args.name, args.base_url))


def staff_add(args: argparse.Namespace, project: Project) -> int:
    """The password is typed twice (not shown), or read from standard input when piped."""
    from consultation import commands

    if sys.stdin.isatty():
        password = getpass.getpass("Password (at least 12 characters): ")
        if getpass.getpass("The same password again: ") != password:
            print("The passwords are not the same. No account was made.", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    return _on_database(project, lambda app: commands.staff_add(app, args.email, args.name, args.role,
                                                                password))


def staff_unlock(args: argparse.Namespace, project: Project) -> int:
    from consultation import commands

    return _on_database(project, lambda app: commands.staff_unlock(app, args.email))


def erase_expired(args: argparse.Namespace, project: Project) -> int:
    from consultation import commands

    return _on_database(project, lambda app: commands.erase_expired(app, args.scrub))


def personal_data(args: argparse.Namespace, project: Project) -> int:
    from consultation import commands

    return _on_database(project, lambda app: commands.personal_data(app, args.email, args.erase))


def send_mail(args: argparse.Namespace, project: Project) -> int:
    """Deliver the outbox once (from cron), or until stopped (--forever)."""
    from consultation import commands

    return _on_database(project, lambda app: commands.send_mail(
        app, args.retry_failed, args.forever, progress=lambda line: print(line, flush=True)))


def backup(args: argparse.Namespace, project: Project) -> int:
    """Copies the database as it is: no upgrade first."""
    from consultation import commands

    return _on_database(project, lambda app: commands.backup(app, args.target), upgrade_database=False)


def _on_database(project: Project, command, upgrade_database: bool = True) -> int:
    """Run one of `consultation.commands` on the project's app and print what it says: its
    warning or refusal on standard error, failing the command. The app is loaded only here, as
    Flask and SQLAlchemy take half a second to import that `check` and `new` need not wait for."""
    from consultation import commands, context

    app = commands.consultation_app(project, Clock.from_environment(), upgrade_database)
    try:
        said = command(app)
    except commands.CommandError as refusal:
        print(refusal, file=sys.stderr)
        return 1
    finally:
        context.engine(app).dispose()
    print(said.text)
    if said.warning:
        print(said.warning, file=sys.stderr)
        return 1
    return 0


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
    today = Clock.from_environment().today()
    path.write_text(starter_text(args.title, reference, args.category, args.owner, today), encoding="utf-8")
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
    """Never overwrites: if a file it would write is there, it writes nothing and says so.
    Progress on standard error while it works; the summary, last, on standard output."""
    from policy_portal.importing.draft import import_word as make_file
    from policy_portal.importing.word import WordError
    from portal.progress import showing

    if args.earlier_version and not args.slug:
        print("Give --slug with --earlier-version: the policy this is an earlier version of.",
              file=sys.stderr)
        return 1
    started = time.perf_counter()
    try:
        with showing(sys.stderr) as progress:
            imported = make_file(args.document, project.root, args.slug, args.earlier_version, progress)
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
    print_summary(f"Imported {args.document.name}.",
                  [f"Written: 1 policy file, {len(images)} image{'s' if len(images) != 1 else ''}."],
                  len(imported.not_carried) + len(imported.without_alt), started)
    return 0


COMMANDS = {"check": check, "diff": diff, "build": build, "serve": serve, "migrate": migrate,
            "invite": invite, "staff-add": staff_add, "staff-unlock": staff_unlock,
            "erase-expired": erase_expired, "personal-data": personal_data, "send-mail": send_mail,
            "backup": backup, "new": new,
            "import": import_word}

if __name__ == "__main__":
    sys.exit(main())
