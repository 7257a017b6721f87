# Sourced by scripts/test.sh: find or start a PostgreSQL server and export
# DART_TEST_POSTGRES_URL. These machines run one on 127.0.0.1:5432 with trust auth; where it
# has stopped it is started; where TCP needs a password, the local socket is used as root.
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1; then
    if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        echo "starting PostgreSQL…"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
        for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
    fi
    if pg_up; then
        if psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
            psql -h 127.0.0.1 -U postgres -d postgres -tAc \
                "select 1 from pg_database where datname='test'" | grep -q 1 \
                || psql -h 127.0.0.1 -U postgres -d postgres -qc 'create database test'
            export DART_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:5432/test"
        elif [ "$(id -u)" = 0 ]; then
            su postgres -c "createuser -s root" 2>/dev/null || true
            su postgres -c "createdb -O root test" 2>/dev/null || true
            export DART_TEST_POSTGRES_URL="postgresql+psycopg:///test?host=/var/run/postgresql"
        fi
    fi
fi
