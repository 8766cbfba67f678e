#!/usr/bin/env bash
# `make run`: migrate SQLite, seed the demo, start the stand-in Horde, a task worker per queue and the example embedding
# client (examples/embed-client on http://127.0.0.1:8001), and serve the site on http://127.0.0.1:8000.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG=1
export HORDE_API_URL="http://127.0.0.1:7001/api"
export HORDE_SERVICE_API_KEY="standin-service-key"
export KUDOS_BATCH_SECONDS="${KUDOS_BATCH_SECONDS:-5}"
# The stand-in Horde forwards rated generation sets to this site's intake as the real Horde does: with no
# credential, so the intake takes them by address (127.0.0.1, the stand-in's). The generations' images come from
# the stand-in on 127.0.0.1, so copying them is allowed.
export HORDE_RATINGS_SET_ALLOWED_IPS="${HORDE_RATINGS_SET_ALLOWED_IPS:-127.0.0.1}"
export ALLOW_PRIVATE_IMAGE_URLS=1
# The example client app (examples/embed-client) may frame the embedded rating pages.
export EMBED_ALLOWED_ORIGINS="${EMBED_ALLOWED_ORIGINS:-http://127.0.0.1:8001}"

$PY manage.py migrate --noinput   # also makes the shared cache's table (CACHE_URL)
$PY manage.py seed_demo
# The open dataset's files, so that /api/v1/download/ has something to list (the worker refreshes it hourly).
$PY manage.py export_ratings --no-progress --base-url http://127.0.0.1:8000

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

$PY manage.py standin_horde --port 7001 --ratings-set-url http://127.0.0.1:8000/api/v1/rating/set &
pids+=($!)
# A task worker per queue (settings.TASK_QUEUES), as in production: payments and set submissions ("default") never
# wait behind a slow image host ("copies") or the open dataset's refresh ("exports"). On the database, unless
# REDIS_URL is set: then RQ's workers, each with its scheduler (it starts the tasks whose run_after has come).
if [ -n "${REDIS_URL:-}" ]; then
  for queue in default copies exports; do
    $PY manage.py rqworker "$queue" --with-scheduler >/dev/null 2>&1 &
    pids+=($!)
  done
else
  $PY manage.py db_worker --queue-name default --no-startup-delay >/dev/null 2>&1 &
  pids+=($!)
  $PY manage.py db_worker --queue-name copies --no-startup-delay >/dev/null 2>&1 &
  pids+=($!)
  $PY manage.py db_worker --queue-name exports --no-startup-delay >/dev/null 2>&1 &
  pids+=($!)
fi
$PY -m http.server --bind 127.0.0.1 8001 --directory examples/embed-client >/dev/null 2>&1 &
pids+=($!)
sleep 1
echo
echo "Horde Ratings is at http://127.0.0.1:8000/  (log in with a demo key above, e.g. demo-rater-0001)"
echo "Moderators: http://127.0.0.1:8000/admin/ with the demo moderator key demo-moderator-0003"
echo "Your generations: log in with demo-rater-0001 and open"
echo "  http://127.0.0.1:8000/generations/5e7a11d0-0000-4000-8000-000000000001/  (four images: rate them, pick the best)"
echo "  (the other demo sets are listed above, by the stand-in Horde)"
echo "The API: http://127.0.0.1:8000/api/docs/  (e.g. curl -H 'apikey: demo-rater-0001' http://127.0.0.1:8000/api/v1/rating/new)"
echo "The open dataset: http://127.0.0.1:8000/api/v1/download/"
echo "Embedding: open http://127.0.0.1:8001/ (an example client app; it frames http://localhost:8000, the same"
echo "  site under another name, so the frame is third-party as in a real client app)"
echo
# runserver gives every request a thread of its own, so a slow Horde holds up only the logins waiting on it.
$PY manage.py runserver 127.0.0.1:8000 --noreload
