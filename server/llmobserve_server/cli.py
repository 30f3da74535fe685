"""`llmobserve-server`: serve, migrate, create-user, retention, set-tier, staff, make-owner,
verify-email, version."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from llmobserve_server import __version__
from llmobserve_server.config import get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session as DbSession


def _serve(args: argparse.Namespace) -> int:
    from llmobserve_server.serving import load_settings, serve

    settings = load_settings()
    if settings is None:
        return 1
    return serve(
        settings,
        host=args.host or settings.host,
        port=args.port if args.port is not None else int(os.environ.get("PORT", settings.port)),
        workers=args.workers if args.workers is not None else settings.web_concurrency,
        log_level=args.log_level or settings.log_level,
        access_log=args.access_log,
    )


def _describe_db() -> str:
    settings = get_settings()
    if settings.database_url:
        return "PostgreSQL"
    return f"SQLite at {(settings.llmobserve_data_dir / 'llmobserve.db').resolve()}"


def _migrate(_args: argparse.Namespace) -> int:
    from llmobserve_server.db.migrate import current_revision

    engine = _system_engine()  # migrates as the owner, then grants DATABASE_URL's role
    try:
        print(f"Database is at revision {current_revision(engine)} ({_describe_db()}).")
    finally:
        engine.dispose()
    return 0


def _system_engine(*, migrate: bool = True) -> Engine:
    """The engine of the commands that act across accounts: the tables' owner's
    (DATABASE_OWNER_URL) when it is set, which Row Level Security does not hold. With `migrate`,
    the schema is brought up to date first (and DATABASE_URL's role granted), as `migrate` does."""
    from llmobserve_server.db.engine import create_db_engine
    from llmobserve_server.db.migrate import prepare_configured_database

    settings = get_settings()
    if migrate:
        prepare_configured_database(settings)
    return create_db_engine(settings, owner=True)


@contextmanager
def _system_session() -> Iterator[DbSession]:
    """A session on `_system_engine()` (the schema brought up to date first) for a command that
    acts across accounts; the engine is disposed of afterwards, whatever happens."""
    from llmobserve_server.db.engine import create_session_factory

    engine = _system_engine()
    try:
        with create_session_factory(engine)() as db:
            yield db
    finally:
        engine.dispose()


def _refused(message: object) -> int:
    """Say why the command could not do what it was asked (on stderr); its exit status."""
    print(f"error: {message}", file=sys.stderr)
    return 1


def _create_user(args: argparse.Namespace) -> int:
    from llmobserve_server.accounts.users import sign_up
    from llmobserve_server.domain_errors import DomainError

    password = os.environ.get("LLMOBSERVE_PASSWORD") or getpass.getpass("Password: ")
    try:
        with _system_session() as db:
            created = sign_up(
                db,
                email=args.email,
                password=password,
                name=args.name or "",
                tier=get_settings().new_account_tier,
            )
            db.commit()
            print(f"Created {created.user.email} with account {created.account.id}.")
    except DomainError as exc:
        return _refused(exc.message)
    return 0


def _retention(args: argparse.Namespace) -> int:
    from llmobserve_server.db.migrate import current_revision, head_revision
    from llmobserve_server.jobs.retention import (
        RetentionReport,
        apply_retention,
        format_report,
        run_retention,
    )

    engine = _system_engine(migrate=False)
    try:
        if current_revision(engine) != head_revision():
            print(
                "error: the database schema is not up to date; run `llmobserve-server "
                "migrate` first.",
                file=sys.stderr,
            )
            return 1
        if args.dry_run:
            report: RetentionReport | None = apply_retention(
                engine,
                batch_size=args.batch_size,
                dry_run=True,
                self_hosted_days=get_settings().retention_days,
            )
        else:
            report = run_retention(
                engine,
                batch_size=args.batch_size,
                self_hosted_days=get_settings().retention_days,
            )
    finally:
        engine.dispose()
    if report is None:
        print(
            "error: another retention run is in progress (a server or another command); "
            "try again later.",
            file=sys.stderr,
        )
        return 1
    print(format_report(report))
    return 0


def _set_tier(args: argparse.Namespace) -> int:
    from llmobserve_server.billing.plans import plan_for
    from llmobserve_server.billing.stripe_emails import notify_owners
    from llmobserve_server.billing.stripe_webhooks import Outcome
    from llmobserve_server.billing.tier_change import TierChangeError, set_tier

    settings = get_settings()
    try:
        with _system_session() as db:
            change = set_tier(db, tier=args.tier, email=args.email, account_id=args.account)
            account = change.account
            db.commit()
            plan = plan_for(account.subscription_tier)
            print(f"Account {account.id} ({account.name}) is now on the {plan.name} plan.")
            if change.changed:  # the owners hear of it, as when Stripe changes the plan
                notify_owners(
                    settings,
                    db,
                    Outcome(
                        event_id="set-tier",
                        event_type="set-tier",
                        account_id=account.id,
                        old_tier=change.old_tier,
                        new_tier=account.subscription_tier,
                    ),
                )
    except TierChangeError as exc:
        return _refused(exc)
    return 0


def _staff(args: argparse.Namespace) -> int:
    from llmobserve_server.admin.staff import StaffError, list_staff, set_staff

    try:
        with _system_session() as db:
            if args.action == "list":
                staff = list_staff(db)
                for user in staff:
                    print(f"{user.email}\t{user.name}")
                if not staff:
                    print("No staff yet: `llmobserve-server staff add EMAIL` makes someone staff.")
                return 0
            if not args.email:
                print(f"error: `staff {args.action}` needs the user's EMAIL.", file=sys.stderr)
                return 2
            user, changed = set_staff(db, email=args.email, is_staff=args.action == "add")
            db.commit()
            if args.action == "add":
                state = "is now staff" if changed else "was already staff"
                print(f"{user.email} {state}: they see the operator console at /admin.")
            else:
                print(f"{user.email} {'is no longer' if changed else 'was not'} staff.")
    except StaffError as exc:
        return _refused(exc)
    return 0


def _make_owner(args: argparse.Namespace) -> int:
    from llmobserve_server.accounts.recovery import RecoveryError, make_owner

    try:
        with _system_session() as db:
            made = make_owner(db, email=args.email, account=args.account)
            db.commit()
            before = "was already" if made.was == "owner" else "is now"
            account = f"{made.account.name} ({made.account.id})"
            print(f"{made.user.email} {before} an owner of {account}.")
    except RecoveryError as exc:
        return _refused(exc)
    return 0


def _verify_email(args: argparse.Namespace) -> int:
    from llmobserve_server.accounts.recovery import RecoveryError, verify_email

    try:
        with _system_session() as db:
            user, changed = verify_email(db, email=args.email)
            db.commit()
            state = "is now verified" if changed else "was already verified"
            print(f"{user.email} {state}: they can accept invitations.")
    except RecoveryError as exc:
        return _refused(exc)
    return 0


def _version(_args: argparse.Namespace) -> int:
    print(__version__)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llmobserve-server",
        description="The llmobserve collector and dashboard. Configured by environment variables "
        "(DATABASE_URL, LLMOBSERVE_DATA_DIR, PUBLIC_URL, ...; see the README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate the database, then serve HTTP")
    serve.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")
    serve.add_argument(
        "--workers", type=int, default=None, help="worker processes (default $WEB_CONCURRENCY or 1)"
    )
    serve.add_argument(
        "--log-level",
        default=None,
        choices=["debug", "info", "warning", "error"],
        help="default $LOG_LEVEL or info",
    )
    serve.add_argument("--no-access-log", dest="access_log", action="store_false")
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.set_defaults(handler=_migrate)

    create_user = commands.add_parser(
        "create-user",
        help="create a user with their own account (password from a prompt or LLMOBSERVE_PASSWORD)",
    )
    create_user.add_argument("email")
    create_user.add_argument("--name", default="")
    create_user.set_defaults(handler=_create_user)

    retention = commands.add_parser(
        "retention",
        help="delete events, hourly rollups and runs older than each account's plan keeps",
        description="Delete what each account's plan no longer keeps (Free 7 days, Pro 90; "
        "Enterprise keeps everything), in short batches, once across replicas. The server also "
        "runs this every RETENTION_INTERVAL_HOURS.",
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
    )
    retention.add_argument(
        "--batch-size", type=int, default=5000, help="rows per delete statement (default 5000)"
    )
    retention.set_defaults(handler=_retention)

    set_tier = commands.add_parser(
        "set-tier",
        help="put an account on a plan (free, pro, enterprise) without Stripe",
        description="Set an account's plan: the account an owner's email owns, or one by id.",
    )
    which = set_tier.add_mutually_exclusive_group(required=True)
    which.add_argument("--email", help="an owner's email (they must own exactly one account)")
    which.add_argument("--account", type=uuid.UUID, help="the account's id")
    set_tier.add_argument("--tier", required=True, help="free, pro, enterprise or self_hosted")
    set_tier.set_defaults(handler=_set_tier)

    staff = commands.add_parser(
        "staff",
        help="make a user staff (operator console at /admin), remove them, or list staff",
        description="Staff see every account in the operator console at /admin: usage, plans, "
        "revenue; they can change an account's plan or disable it. The user must have signed up.",
    )
    staff.add_argument("action", choices=["add", "remove", "list"])
    staff.add_argument("email", nargs="?", help="the user's email (for add and remove)")
    staff.set_defaults(handler=_staff)

    make_owner = commands.add_parser(
        "make-owner",
        help="make a user an owner of an account (recovery when no owner is left)",
        description="Make the user with EMAIL an owner of ACCOUNT (its id, or its exact name), "
        "adding them to it if they are not a member. Recorded in the account's audit log.",
    )
    make_owner.add_argument("email")
    make_owner.add_argument("account", help="the account's id, or its exact name")
    make_owner.set_defaults(handler=_make_owner)

    verify_email = commands.add_parser(
        "verify-email",
        help="mark a user's email address as verified (you vouch for it)",
        description="Mark EMAIL as verified, as its verification link would: needed to accept "
        "an invitation. For installs without SMTP_URL, where no verification link can be sent.",
    )
    verify_email.add_argument("email")
    verify_email.set_defaults(handler=_verify_email)

    version = commands.add_parser("version", help="print the server's version")
    version.set_defaults(handler=_version)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
