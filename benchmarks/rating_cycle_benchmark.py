"""How long a rater waits for the next image after the key that saves a rating, and how many bytes a rating costs.

Not a test: run it by hand against a running site (see benchmarks/README.md). It drives Debian's
chromium (/usr/bin/chromium, headless; Playwright never downloads a browser here), logs in through
/login/ with --key, opens /rate/ and saves --ratings ratings with the keyboard (--keys: today's page
`7,a,2,Enter`, a rating digit, "A" and an artifacts digit, Enter that saves; `7,2,Enter` for the page
before 2026-12, where a digit after the rating was the artifacts; `7,2` for the page before 2026-11,
where the artifacts digit saved).
It does not import the project: any running site will do (runserver, gunicorn, a remote host).

Everything is measured in the page, with performance.now() and its time base:

- key-to-next-image: from the keydown of the LAST key of --keys (its event.timeStamp, taken by a
  capturing listener on window that runs before the page's own) until the card's
  `<img data-testid="image">` has a new `data-image-id` and `complete && naturalWidth > 0` (a
  MutationObserver and the image's `load` event; the moment is the first time both hold). Also
  reported: key-to-swap (the new card is in the DOM), key-to-decoded (`img.decode()` resolved,
  called once the image is complete) and key-to-frame (the first animation frame after that), and
  the htmx request's own duration (its Resource Timing entry, startTime to responseEnd).
- bytes: the Resource Timing API, `transferSize` (bytes over the network: response headers plus the
  encoded body; 0 for a response served from the browser's cache, a few hundred for a 304) and
  `encodedBodySize` (the body as sent, cached or not). A resource belongs to the cycle in which it
  started (from just before the first key of a rating until just before the first key of the next),
  so the image preloaded for the rating after next (`<link rel=preload>`) counts in the cycle whose
  response asked for it. Per cycle it is split into html (the htmx response), image and static.
  Images on other hosts (datasets of URLs) report 0 without a Timing-Allow-Origin header.
  As a cross-check, Playwright's own `request.sizes()` (response headers + body as received) is
  summed over the same cycles.
- first load: the /rate/ page right after logging in (its static files were just loaded by the
  login page, so they come from the cache or as 304s), and the same page opened in a fresh browser
  context with the session cookie (an empty cache): the document plus everything it loads until the
  image is shown and the preload has finished.

Before each rating it waits until the current image is shown and the preloaded next image has
arrived (as a rater who looks at the picture for a second would), so it measures the cycle, not a
race; --think-ms adds a pause on top. The page saves only an image that has been on screen
RATING_MIN_LOOK_MS (700 ms) and holds a save until its card is RATING_MIN_SECONDS (1 s) old, so against
a site with those floors on, --think-ms 1000 (the default) measures the cycle of a rater who looked for a
second; less measures the hold too, and under 700 ms Enter saves nothing (the run stops, timed out).

It saves real ratings for the --key's rater: the site needs --ratings + 2 images that rater has not
rated, and a flood limit above the pace (RATINGS_PER_MINUTE_MAX) and no captchas (CAPTCHA_RATE=0) to
measure plain cycles. Example, against `make run`:

    .venv/bin/python benchmarks/rating_cycle_benchmark.py --url http://127.0.0.1:8000 --key demo-rater-0001 \\
        --ratings 20 --keys 7,a,2,Enter --viewport 1366x768

Percentiles: the median and the 90th percentile (statistics.quantiles, inclusive method) of the
--ratings cycles.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Installed in every document before the page's scripts (context.add_init_script): the keydown
# recorder (capturing, on window, so it runs before rate.js's listener on document), a larger
# Resource Timing buffer, and the watcher of the next image.
INSTRUMENT_JS = r"""
(() => {
  if (window.__rcb) return;
  try { performance.setResourceTimingBufferSize(100000); } catch (e) {}
  const rcb = window.__rcb = { doc: Math.random().toString(36).slice(2), keys: [], cycle: null };
  window.addEventListener("keydown", (event) => {
    rcb.keys.push({ key: event.key, t: event.timeStamp, now: performance.now() });
  }, true);
  const image = () => document.querySelector('img[data-testid="image"]');
  rcb.current = () => { const img = image(); return img ? img.dataset.imageId : null; };
  rcb.state = () => {
    const img = image();
    const text = (sel) => { const el = document.querySelector(sel); return el ? el.textContent.trim().replace(/\s+/g, " ") : null; };
    return {
      id: img ? img.dataset.imageId : null,
      shown: !!(img && img.complete && img.naturalWidth > 0),
      notice: text('[data-testid="notice"]'), error: text('[data-testid="error"]'),
      paused: text('[data-testid="paused"]'), empty: text('[data-testid="empty"]'),
      step: (document.getElementById("card") || {dataset: {}}).dataset.step || null,
    };
  };
  rcb.preloadDone = () => {
    const link = document.querySelector('link[rel="preload"][data-testid="preload"]');
    return !link || performance.getEntriesByName(link.href).length > 0;
  };
  // Watches for the next image: the card's <img> with another data-image-id, complete and decoded.
  rcb.watch = () => {
    rcb.keys = [];
    const c = rcb.cycle = {
      prev: rcb.current(), armAt: performance.now(), id: null,
      swapAt: null, shownAt: null, decodedAt: null, frameAt: null, error: null,
    };
    let observer = null;
    const check = () => {
      if (c.shownAt !== null || c.error !== null) return;
      const img = image();
      if (!img) {
        const gone = document.querySelector('[data-testid="empty"], [data-testid="paused"]');
        if (gone) c.error = "no image on the card: " + gone.textContent.trim().replace(/\s+/g, " ");
        return;
      }
      if (img.dataset.imageId === c.prev) return;
      const now = performance.now();
      if (c.swapAt === null) c.swapAt = now;
      c.id = img.dataset.imageId;
      if (img.complete && img.naturalWidth > 0) {
        c.shownAt = now;
        if (observer) observer.disconnect();
        requestAnimationFrame(() => { c.frameAt = performance.now(); });
        const decoded = img.decode ? img.decode() : Promise.resolve();
        decoded.then(() => { c.decodedAt = performance.now(); }, () => { c.decodedAt = -1; });
      } else if (!img.__rcbWatched) {
        img.__rcbWatched = true;
        img.addEventListener("load", check);
        img.addEventListener("error", () => { c.error = "the next image did not load: " + img.src; });
      }
    };
    observer = new MutationObserver(check);
    observer.observe(document.documentElement, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["data-image-id", "src"],
    });
  };
  rcb.finished = () => {
    const c = rcb.cycle;
    return !!c && (c.error !== null || (c.shownAt !== null && c.decodedAt !== null && c.frameAt !== null));
  };
  rcb.entries = () => {
    const pick = (e) => ({
      name: e.name, type: e.entryType, initiator: e.initiatorType || e.entryType,
      start: e.startTime, end: e.responseEnd, transfer: e.transferSize,
      encoded: e.encodedBodySize, decoded: e.decodedBodySize,
    });
    return {
      origin: performance.timeOrigin,
      navigation: performance.getEntriesByType("navigation").map(pick),
      resources: performance.getEntriesByType("resource").map(pick),
    };
  };
})();
"""

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif", ".svg")
KINDS = ("html", "image", "static", "other")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running site (default %(default)s)")
    parser.add_argument("--key", default="demo-rater-0001", help="the Horde API key to log in with (default %(default)s)")
    parser.add_argument("--ratings", type=int, default=20, help="ratings to time (default %(default)s)")
    parser.add_argument(
        "--keys",
        default="7,a,2,Enter",
        help="the keys that save one rating, comma-separated Playwright key names; the last one is the key "
        "that submits and starts the clock (default %(default)s; `7,2` for the page before Enter saved)",
    )
    parser.add_argument("--viewport", default="1366x768", help="browser window WIDTHxHEIGHT (default %(default)s)")
    parser.add_argument(
        "--think-ms", type=int, default=1000, help="pause before each rating's keys: the look time (default %(default)s)"
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for one step (default %(default)s)")
    parser.add_argument("--json", type=Path, help="also write every cycle's figures and entries to this file")
    args = parser.parse_args(argv)
    if args.ratings < 1:
        parser.error("--ratings must be 1 or more")
    args.key_list = [k.strip() for k in args.keys.split(",") if k.strip()]
    if not args.key_list:
        parser.error("--keys needs at least one key")
    try:
        width, height = (int(v) for v in args.viewport.lower().split("x"))
    except ValueError:
        parser.error("--viewport must be WIDTHxHEIGHT, e.g. 1366x768")
    args.viewport_size = {"width": width, "height": height}
    args.url = args.url.rstrip("/")
    return args


def kind_of(entry: dict) -> str:
    path = urlparse(entry["name"]).path.lower()
    if entry["initiator"] in ("xmlhttprequest", "fetch", "navigation"):
        return "html"
    if path.startswith("/static/") or entry["initiator"] in ("script", "css"):
        return "static"
    if entry["initiator"] == "img" or path.startswith("/media/") or path.endswith(IMAGE_EXTENSIONS):
        return "image"
    return "other"


def tally(entries: list[dict]) -> dict:
    out = {"transfer": 0, "encoded": 0, "requests": len(entries), "html_requests": 0}
    for kind in KINDS:
        out[kind] = 0
    for e in entries:
        kind = kind_of(e)
        out[kind] += e["transfer"]
        out["transfer"] += e["transfer"]
        out["encoded"] += e["encoded"]
        out["html_requests"] += kind == "html"
    return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p90(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


class Failure(Exception):
    pass


def wait(page, expression: str, arg, timeout_s: float, what: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(expression, arg=arg, timeout=timeout_s * 1000, polling="raf")
    except PlaywrightTimeout:
        state = page.evaluate("() => window.__rcb ? window.__rcb.state() : null")
        raise Failure(f"timed out after {timeout_s:g} s waiting for {what}; the page at {page.url} shows {state}") from None


def login(page, args: argparse.Namespace) -> None:
    page.goto(f"{args.url}/login/")
    page.fill('input[name="apikey"]', args.key)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    if urlparse(page.url).path != "/rate/":
        if urlparse(page.url).path.startswith("/login"):
            raise Failure(f"logging in with {args.key!r} failed: still on {page.url}")
        page.goto(f"{args.url}/rate/")


def wait_for_card(page, args: argparse.Namespace) -> None:
    """The first card of a freshly loaded page: its image shown and its preload arrived."""
    page.wait_for_load_state("load")
    wait(page, "() => window.__rcb.state().shown", None, args.timeout, "the first image")
    wait(page, "() => window.__rcb.preloadDone()", None, args.timeout, "the preloaded next image")


def first_load_bytes(page) -> dict:
    data = page.evaluate("() => window.__rcb.entries()")
    return tally(data["navigation"] + data["resources"])


def cold_first_load(browser, storage_state, args: argparse.Namespace) -> dict:
    """/rate/ opened in a fresh context (empty HTTP cache) with the logged-in session's cookie."""
    context = browser.new_context(viewport=args.viewport_size, storage_state=storage_state)
    try:
        context.add_init_script(INSTRUMENT_JS)
        page = context.new_page()
        page.goto(f"{args.url}/rate/")
        wait_for_card(page, args)
        return first_load_bytes(page)
    finally:
        context.close()


def run_cycles(page, args: argparse.Namespace) -> list[dict]:
    cycles = []
    doc = page.evaluate("() => window.__rcb.doc")
    for index in range(args.ratings):
        if args.think_ms:
            page.wait_for_timeout(args.think_ms)
        page.evaluate("() => window.__rcb.watch()")
        for key in args.key_list:
            page.keyboard.press(key)
        wait(
            page,
            "doc => !window.__rcb || window.__rcb.doc !== doc || window.__rcb.finished()",
            doc,
            args.timeout,
            f"the next image after rating {index + 1}",
        )
        if page.evaluate("doc => !window.__rcb || window.__rcb.doc !== doc", doc):
            raise Failure(
                f"rating {index + 1}: the page was reloaded (the form was posted without htmx), so there is "
                "no cycle to time; check --keys against the page"
            )
        cycle = page.evaluate("() => ({ ...window.__rcb.cycle, keys: window.__rcb.keys })")
        if cycle["error"]:
            raise Failure(f"rating {index + 1}: {cycle['error']}")
        wait(page, "() => window.__rcb.preloadDone()", None, args.timeout, "the preloaded next image")
        keys = cycle["keys"]
        if [k["key"] for k in keys] != args.key_list:
            raise Failure(f"rating {index + 1}: the page saw the keys {[k['key'] for k in keys]}, not {args.key_list}")
        last = keys[-1]
        # event.timeStamp is the key event's creation time in performance.now()'s time base; fall back
        # to the listener's own clock if a browser reports something else.
        t0 = last["t"] if 0 <= last["now"] - last["t"] < 10_000 else last["now"]
        cycle["t0"] = t0
        cycle["early_swap"] = cycle["swapAt"] is not None and cycle["swapAt"] < t0
        cycles.append(cycle)
    return cycles


def attribute(cycles: list[dict], entries: list[dict], end: float) -> None:
    """Each resource to the cycle whose window [watch start, next watch start) holds its startTime."""
    bounds = [c["armAt"] for c in cycles] + [end]
    for i, cycle in enumerate(cycles):
        mine = [e for e in entries if bounds[i] <= e["start"] < bounds[i + 1]]
        cycle["entries"] = mine
        cycle["bytes"] = tally(mine)
        htmx = [e for e in mine if kind_of(e) == "html"]
        cycle["htmx_ms"] = (htmx[0]["end"] - htmx[0]["start"]) if htmx else None


def cross_check(requests: list, origin_ms: float, cycles: list[dict]) -> list[int | None]:
    """Playwright's request.sizes() (response headers + body received) per cycle, by request start time."""
    bounds = [origin_ms + c["armAt"] for c in cycles] + [float("inf")]
    per_cycle: list[int | None] = [0] * len(cycles)
    for request in requests:
        try:
            start = request.timing["startTime"]
            sizes = request.sizes()
        except Exception:  # a request Playwright cannot size (served from memory, page gone)
            continue
        for i in range(len(cycles)):
            if bounds[i] <= start < bounds[i + 1]:
                per_cycle[i] += sizes["responseHeadersSize"] + sizes["responseBodySize"]
                break
    return per_cycle


def ms(value: float | None) -> str:
    return "-" if value is None or value < 0 else f"{value:.0f}"


def report(args, cycles, after_login, cold, pw_cycle_bytes) -> None:
    header = (
        f"{'#':>3} {'image':<8} {'swap':>6} {'shown':>6} {'decoded':>7} {'frame':>6} {'htmx':>6} "
        f"{'html B':>8} {'image B':>8} {'other B':>8} {'total B':>8} {'req':>4}"
    )
    print("Per rating (ms from the submitting keydown; bytes = Resource Timing transferSize):")
    print(header)
    print("-" * len(header))
    for i, c in enumerate(cycles, 1):
        b = c["bytes"]
        rel = lambda t, c=c: None if t is None or t < 0 else t - c["t0"]  # noqa: E731
        flag = "  <- swapped before the last key" if c["early_swap"] else ""
        if b["html_requests"] != 1:
            flag += f"  <- {b['html_requests']} htmx requests"
        print(
            f"{i:>3} {(c['id'] or '')[:8]:<8} {ms(rel(c['swapAt'])):>6} {ms(rel(c['shownAt'])):>6} "
            f"{ms(rel(c['decodedAt'])):>7} {ms(rel(c['frameAt'])):>6} {ms(c['htmx_ms']):>6} "
            f"{b['html']:>8} {b['image']:>8} {b['static'] + b['other']:>8} {b['transfer']:>8} {b['requests']:>4}{flag}"
        )
    print()

    shown = [c["shownAt"] - c["t0"] for c in cycles]
    swap = [c["swapAt"] - c["t0"] for c in cycles]
    decoded = [c["decodedAt"] - c["t0"] for c in cycles if c["decodedAt"] is not None and c["decodedAt"] >= 0]
    frame = [c["frameAt"] - c["t0"] for c in cycles if c["frameAt"] is not None]
    htmx = [c["htmx_ms"] for c in cycles if c["htmx_ms"] is not None]
    n = len(cycles)
    print(f"key-to-next-image, {n} ratings, keys {','.join(args.key_list)} (ms)   median     p90")
    print(f"  next image shown (complete && naturalWidth > 0)  {median(shown):7.1f} {p90(shown):7.1f}")
    print(f"  new card swapped in                              {median(swap):7.1f} {p90(swap):7.1f}")
    print(f"  next image decoded (img.decode())                {median(decoded):7.1f} {p90(decoded):7.1f}")
    print(f"  first animation frame after it                   {median(frame):7.1f} {p90(frame):7.1f}")
    print(f"  the htmx request alone (start to responseEnd)    {median(htmx):7.1f} {p90(htmx):7.1f}")
    print()

    def col(name: str) -> list[float]:
        return [c["bytes"][name] for c in cycles]

    print("bytes per rating cycle (Resource Timing)              median     p90   total")
    for label, name in (
        ("transferSize, all", "transfer"),
        ("  html (htmx response)", "html"),
        ("  image (shown + preloaded)", "image"),
        ("  static + other", "static"),
        ("encodedBodySize, all", "encoded"),
        ("requests", "requests"),
    ):
        values = col(name) if name != "static" else [c["bytes"]["static"] + c["bytes"]["other"] for c in cycles]
        print(f"  {label:<48} {median(values):7.0f} {p90(values):7.0f} {sum(values):7.0f}")
    pw = [v for v in pw_cycle_bytes if v is not None]
    if pw:
        print(f"  {'cross-check: Playwright request.sizes()':<48} {median(pw):7.0f} {p90(pw):7.0f} {sum(pw):7.0f}")
    print()
    print("first page load of /rate/ (transferSize)      total     html    image   static   requests")
    for label, t in (("right after logging in", after_login), ("fresh context, empty cache", cold)):
        print(
            f"  {label:<40} {t['transfer']:>7} {t['html']:>8} {t['image']:>8} "
            f"{t['static'] + t['other']:>8} {t['requests']:>10}"
        )


def measure(args: argparse.Namespace) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=args.viewport_size)
            context.add_init_script(INSTRUMENT_JS)
            context.set_default_timeout(args.timeout * 1000)
            page = context.new_page()
            login(page, args)
            wait_for_card(page, args)
            after_login = first_load_bytes(page)
            cold = cold_first_load(browser, context.storage_state(), args)

            requests: list = []
            page.on("requestfinished", lambda request: requests.append(request))
            cycles = run_cycles(page, args)
            end = page.evaluate("() => performance.now()")
            data = page.evaluate("() => window.__rcb.entries()")
            attribute(cycles, data["resources"], end)
            pw_cycle_bytes = cross_check(requests, data["origin"], cycles)
            context.close()
        finally:
            browser.close()
    report(args, cycles, after_login, cold, pw_cycle_bytes)
    return {
        "url": args.url,
        "keys": args.key_list,
        "viewport": args.viewport,
        "cycles": cycles,
        "first_load_after_login": after_login,
        "first_load_cold": cold,
        "playwright_cycle_bytes": pw_cycle_bytes,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium); this benchmark never downloads a browser.")
        return 2
    print(
        f"Rating cycle benchmark: {args.url}/rate/ as {args.key}, {args.ratings} ratings with keys "
        f"{','.join(args.key_list)}, viewport {args.viewport}, chromium headless; {os.cpu_count()} CPUs, "
        f"load average {load_average()}"
    )
    started = time.perf_counter()
    try:
        result = measure(args)
    except Failure as exc:
        print(f"Stopped: {exc}")
        return 1
    print()
    print(f"Took {time.perf_counter() - started:.1f} s; load average at the end {load_average()}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
        print(f"Wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
