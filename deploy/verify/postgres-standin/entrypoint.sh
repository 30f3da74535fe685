#!/usr/bin/env bash
# The stand-in's entrypoint: what the official postgres image's docker-entrypoint.sh does, for the
# parts deploy/docker-compose.yml relies on. As root it makes $PGDATA and the socket directory the
# postgres user's and runs itself again as that user (setpriv, from util-linux, instead of gosu).
# On an empty $PGDATA (no PG_VERSION) it
#   - runs initdb with POSTGRES_USER as the superuser and POSTGRES_PASSWORD as its password
#     (initdb's defaults: local and loopback connections trusted), then allows every other TCP
#     connection with the password_encryption method (scram-sha-256);
#   - starts a socket-only server, creates POSTGRES_DB (default: POSTGRES_USER), and handles
#     /docker-entrypoint-initdb.d/* in name order: *.sh executed if executable, sourced if not
#     (so a sourced script sees these variables and functions); *.sql and *.sql.gz run with psql
#     as POSTGRES_USER on POSTGRES_DB; anything else ignored;
#   - stops that server.
# Then it execs the command, postgres: PID 1 of the container, so SIGINT (the STOPSIGNAL) or
# SIGTERM reach the postmaster itself and shut it down cleanly.
# Not done: the *_FILE variables, POSTGRES_INITDB_WALDIR, nss_wrapper for an arbitrary --user.
set -Eeo pipefail

process_sql() { # database psql-arguments...: psql as the official image runs it (socket, POSTGRES_USER)
    local database=$1
    shift
    PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password \
        --no-psqlrc --dbname "$database" "$@"
}

init_database() { # $@: the postgres command line (its -c settings apply to the temporary server)
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
        echo >&2 'error: the database is uninitialized and POSTGRES_PASSWORD is not set'
        exit 1
    fi
    ls /docker-entrypoint-initdb.d/ >/dev/null # unreadable: fail before initdb, not halfway
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as in the original
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        $POSTGRES_INITDB_ARGS
    shift # "postgres"
    local auth
    auth=$(postgres -C password_encryption "$@")
    : "${POSTGRES_HOST_AUTH_METHOD:=$auth}"
    printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

    export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
    PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -w start \
        -o "$(printf '%q ' "$@" -c listen_addresses='' -p "${PGPORT:-5432}")"
    if [ -z "$(process_sql postgres --set db="$POSTGRES_DB" --tuples-only \
        <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")" ]; then
        process_sql postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db"'
    fi
    local f
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
        *.sh)
            if [ -x "$f" ]; then
                echo "$0: running $f"
                "$f"
            else
                echo "$0: sourcing $f"
                # shellcheck disable=SC1090 # the operator's script
                . "$f"
            fi
            ;;
        *.sql) echo "$0: running $f" && process_sql "$POSTGRES_DB" -f "$f" ;;
        *.sql.gz) echo "$0: running $f" && gunzip -c "$f" | process_sql "$POSTGRES_DB" ;;
        *) echo "$0: ignoring $f" ;;
        esac
    done
    PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
    unset PGPASSWORD
    echo 'PostgreSQL init process complete; ready for start up.'
}

if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi
if [ "$1" = postgres ]; then
    export POSTGRES_USER="${POSTGRES_USER:-postgres}"
    export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
    export POSTGRES_PASSWORD POSTGRES_INITDB_ARGS="${POSTGRES_INITDB_ARGS:-}"
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA" || :
    chmod 3775 /var/run/postgresql || :
    if [ "$(id -u)" = 0 ]; then
        find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
        exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
    fi
    if [ -s "$PGDATA/PG_VERSION" ]; then
        echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    else
        init_database "$@"
    fi
fi
exec "$@"
