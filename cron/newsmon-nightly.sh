#!/usr/bin/env bash
# Run `newsmon nightly` from cron: never two at once (flock), one dated log file per run, the
# last NEWSMON_KEEP_LOGS logs kept. Prints nothing when the night went well, so cron mails only
# failures (the log's tail) and skipped runs. Extra arguments go to `newsmon nightly`.
#
# Environment (all optional):
#   NEWSMON_HOME       working folder: sources, database, raw pages, logs (default: the current folder)
#   NEWSMON_BIN        the newsmon executable (default: newsmon on PATH; cron's PATH is short,
#                      so give the virtualenv's full path, e.g. /srv/newsmon/.venv/bin/newsmon)
#   NEWSMON_LOG_DIR    where logs go (default: $NEWSMON_HOME/logs)
#   NEWSMON_KEEP_LOGS  how many nightly logs to keep (default: 30)
#   NEWSMON_LOCK_FILE  the lock (default: $NEWSMON_LOG_DIR/nightly.lock)
# plus newsmon's own, which `newsmon nightly` reads: NEWSMON_DB_URL, NEWSMON_CONTACT, NEWSMON_SOURCES,
# NEWSMON_SUBSCRIPTIONS, NEWSMON_MODEL... (`newsmon settings --all` lists every one; README "Settings").
# These defaults are declared in newsmon/settings.py too; tests/test_one_place.py checks they agree.
set -uo pipefail

home="${NEWSMON_HOME:-$PWD}"
bin="${NEWSMON_BIN:-newsmon}"
log_dir="${NEWSMON_LOG_DIR:-$home/logs}"
keep="${NEWSMON_KEEP_LOGS:-30}"
lock="${NEWSMON_LOCK_FILE:-$log_dir/nightly.lock}"

cd "$home" || { echo "newsmon nightly: cannot enter NEWSMON_HOME=$home" >&2; exit 1; }
mkdir -p "$log_dir" || exit 1
case "$keep" in ''|*[!0-9]*|0) echo "newsmon nightly: NEWSMON_KEEP_LOGS must be a positive number" >&2; exit 1;; esac

exec 9>>"$lock"
if ! flock --nonblock 9; then
    echo "newsmon nightly: skipped at $(date -u '+%Y-%m-%d %H:%M:%S') UTC: the previous run still holds $lock" >&2
    exit 75  # EX_TEMPFAIL: not a failure of this night's work, but worth a mail
fi

log="$log_dir/nightly-$(date -u '+%Y-%m-%dT%H%M%SZ').log"
(  # the lock (fd 9) stays held by newsmon itself, even if this script is killed
    echo "== newsmon nightly started $(date -u '+%Y-%m-%d %H:%M:%S') UTC (pid $$) in $home"
    "$bin" -v nightly "$@"
    status=$?
    echo "== newsmon nightly ended $(date -u '+%Y-%m-%d %H:%M:%S') UTC with exit status $status"
    exit "$status"
) >>"$log" 2>&1
status=$?

# Keep the newest $keep logs (names sort by date).
ls -1 "$log_dir"/nightly-*.log 2>/dev/null | sort -r | tail -n +"$((keep + 1))" | while IFS= read -r old; do
    rm -f -- "$old"
done

if [ "$status" -ne 0 ]; then
    echo "newsmon nightly failed (exit status $status); log: $log" >&2
    tail -n 30 "$log" >&2
fi
exit "$status"
