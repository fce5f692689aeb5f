"""fuhe api_key create --user USERNAME | --application NAME [--name LABEL] [--scope read --scope write]
fuhe api_key revoke PREFIX
fuhe api_key list"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fuhe.api.models import ApiKey, ApiScope
from fuhe.api.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "Issue, list and revoke API keys. The secret is printed once; only its hash is stored."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a key owned by a person or an application")
        owner = create.add_mutually_exclusive_group(required=True)
        owner.add_argument("--user", help="username the key acts as")
        owner.add_argument("--application", help="name of the application (acts as nobody)")
        create.add_argument("--name", default="", help="a label")
        create.add_argument(
            "--scope", action="append", choices=ApiScope.values, help="read and/or write (default: both)"
        )
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="list keys (prefix, owner, last use)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            user = None
            if options["user"]:
                user = get_user_model().objects.filter(username=options["user"]).first()
                if user is None:
                    raise CommandError(f"no user {options['user']!r}")
            try:
                issued = api_key_create(
                    actor=None,
                    user=user,
                    application=options["application"] or "",
                    name=options["name"],
                    scopes=options["scope"],
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.stdout.write(issued.secret)
            self.stderr.write(
                f"key {issued.api_key.prefix} for {issued.api_key.owner_label} "
                f"({', '.join(issued.api_key.scopes)}): the secret above is shown once."
            )
        elif action == "revoke":
            prefix = options["prefix"].removeprefix("fuhe_").split("_")[0]
            api_key = ApiKey.objects.filter(prefix=prefix).first()
            if api_key is None:
                raise CommandError(f"no key with prefix {prefix!r}")
            api_key_revoke(actor=None, api_key=api_key)
            self.stdout.write(f"key {api_key.prefix} revoked")
        else:
            for api_key in ApiKey.objects.select_related("user").order_by("created_at"):
                state = f"revoked {api_key.revoked_at:%Y-%m-%d}" if api_key.revoked_at else "active"
                used = f"{api_key.last_used_at:%Y-%m-%d %H:%M}" if api_key.last_used_at else "never"
                self.stdout.write(
                    f"{api_key.prefix}  {api_key.owner_label:<24} {','.join(api_key.scopes):<11} "
                    f"{state:<18} last used {used}"
                )
