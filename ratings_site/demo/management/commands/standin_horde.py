"""Serve the stand-in AI Horde (ratings_site.demo.standin) until Ctrl-C.

There only where settings install the demo app (STANDIN_HORDE_ALLOWED): elsewhere Django knows no such command.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from ratings_site.demo.standin import (
    DEMO_KEY_PURPOSES,
    DEMO_KEYS,
    DEMO_SET_PURPOSES,
    SERVICE_API_KEY,
    StandinHorde,
)


class Command(BaseCommand):
    help = "Serve a stand-in AI Horde with demo API keys, for development without the real Horde."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=7001, help="Port to listen on (default 7001).")
        parser.add_argument(
            "--ratings-set-url",
            default="",
            help="Forward rated generation sets here, as the Horde does (the ratings service's /api/v1/rating/set): "
            "with no credential, so the site must list this machine's address in HORDE_RATINGS_SET_ALLOWED_IPS.",
        )
        parser.add_argument("--verbose-requests", action="store_true", help="Print method, path and status of each request.")

    def handle(self, *args, **options):
        horde = StandinHorde(
            host=options["host"],
            port=options["port"],
            ratings_set_url=options["ratings_set_url"] or None,
        )
        horde.verbose = options["verbose_requests"]
        try:
            horde.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {exc}") from None

        out = self.stdout
        out.write(self.style.SUCCESS(f"Stand-in AI Horde serving at {horde.url}"))
        out.write("Point the site at it with:")
        out.write(f"  HORDE_API_URL={horde.url}")
        out.write(f"  HORDE_SERVICE_API_KEY={SERVICE_API_KEY}")
        out.write("")
        out.write("Demo API keys:")
        key_width = max(len(k) for k in DEMO_KEYS)
        name_width = max(len(d["username"]) for d in DEMO_KEYS.values())
        for key, details in DEMO_KEYS.items():
            purpose = DEMO_KEY_PURPOSES.get(key, "")
            out.write(f"  {key:<{key_width}}  {details['username']:<{name_width}}  {purpose}")
        out.write(f"  {SERVICE_API_KEY:<{key_width}}  {'(service key)':<{name_width}}  may call /v2/kudos/award")
        out.write("")
        out.write("Demo generation sets (open them at /generations/<id>/ on the site, as their owner):")
        owners = {details["username"]: key for key, details in DEMO_KEYS.items()}
        for set_id, (owner, purpose) in DEMO_SET_PURPOSES.items():
            out.write(f"  {set_id}  {owners.get(owner, owner):<{key_width}}  {purpose}")
        if horde.ratings_set_url:
            out.write(f"Rated sets are forwarded to {horde.ratings_set_url}")
            out.write("  with no credential, as the Horde does: the site takes them from an address it lists in")
            out.write("  HORDE_RATINGS_SET_ALLOWED_IPS (make run lists 127.0.0.1)")
        out.write("")
        out.write(f"Controls: {horde.base_url}/_standin/  (POST fail, delay, reset; GET awards)")
        out.write("Quit with Ctrl-C.")
        out.flush()
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            out.write("Stopping the stand-in Horde.")
        finally:
            horde.stop()
