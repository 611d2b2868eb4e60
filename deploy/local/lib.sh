# Shell functions shared by deploy/local/up, deploy/local/test and developers' shells:
# install what the platform needs from Debian, and run throw-away PostgreSQL and Redis
# servers on free loopback ports under a state folder. Source it; it defines functions only.

ANB_APT_PACKAGES=(
  pkg-config clang libclang-dev
  libavcodec-dev libavformat-dev libavutil-dev libavfilter-dev libavdevice-dev
  libswscale-dev libswresample-dev
  postgresql redis-server protobuf-compiler python3 curl procps make
)

anb_log() { printf '[anb] %s\n' "$*" >&2; }

# Installs missing Debian packages; runs `apt-get update` at most once per call.
anb_install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  anb_log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q </dev/null >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >&2
}

anb_install_deps() { anb_install_packages "${ANB_APT_PACKAGES[@]}"; }

# Prints a TCP port that is free on 127.0.0.1 right now.
anb_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

anb_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { anb_log "PostgreSQL server binaries not found"; return 1; }
  printf '%s\n' "$dir"
}

# Starts PostgreSQL under $1/postgres on a free port (or $ANB_PG_PORT) and prints its URL.
# initdb refuses to run as root, so the cluster belongs to the postgres user.
anb_start_postgres() {
  local state=$1 bin port data
  bin=$(anb_pg_bin) || return 1
  port=${ANB_PG_PORT:-$(anb_free_port)}
  data="$state/postgres"
  if [ -f "$state/postgres.url" ] && [ -f "$data/postmaster.pid" ] \
    && kill -0 "$(head -n 1 "$data/postmaster.pid")" 2>/dev/null; then
    cat "$state/postgres.url"
    return 0
  fi
  mkdir -p "$data"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$data"
    chmod 700 "$data"
    as=(runuser -u postgres --)
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    "${as[@]}" "$bin/initdb" -D "$data" -U anb --auth=trust -E UTF8 --locale=C.UTF-8 >"$state/postgres-init.log" 2>&1 \
      || { cat "$state/postgres-init.log" >&2; return 1; }
  fi
  "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=300 -c fsync=off" start >&2 \
    || { tail -n 30 "$data/server.log" >&2; return 1; }
  head -n 1 "$data/postmaster.pid" >"$state/postgres.pid"
  "${as[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U anb -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='anb'" | grep -q 1 \
    || "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U anb anb
  printf 'postgres://anb@127.0.0.1:%s/anb\n' "$port" | tee "$state/postgres.url"
}

anb_stop_postgres() {
  local state=$1 bin
  [ -f "$state/postgres/postmaster.pid" ] || return 0
  bin=$(anb_pg_bin) || return 1
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$state/postgres" -m fast -w stop >&2 || true
  else
    "$bin/pg_ctl" -D "$state/postgres" -m fast -w stop >&2 || true
  fi
  rm -f "$state/postgres.pid"
}

# Starts Redis under $1/redis on a free port (or $ANB_REDIS_PORT) and prints its URL.
# Append-only persistence keeps queued jobs across a Redis restart.
anb_start_redis() {
  local state=$1 port
  if [ -f "$state/redis.url" ] && [ -f "$state/redis.pid" ] && kill -0 "$(cat "$state/redis.pid")" 2>/dev/null; then
    cat "$state/redis.url"
    return 0
  fi
  port=${ANB_REDIS_PORT:-$(anb_free_port)}
  mkdir -p "$state/redis"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$state/redis" \
    --appendonly yes --appendfsync everysec --save "" \
    --daemonize yes --pidfile "$state/redis.pid" --logfile "$state/redis/redis.log" >&2
  local i
  for i in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  printf 'redis://127.0.0.1:%s\n' "$port" | tee "$state/redis.url"
}

anb_stop_redis() {
  local state=$1 pid
  [ -f "$state/redis.pid" ] || return 0
  pid=$(cat "$state/redis.pid")
  kill "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$state/redis.pid"
}

# Builds the browser app in $1 (web/) into $2 with npm (installed from Debian if missing):
# `npm ci` only when the lockfile changed since the last install, then type check and Vite.
anb_build_web() {
  local web=$1 out=$2
  command -v npm >/dev/null || anb_install_packages nodejs npm || return 1
  if [ ! -f "$web/node_modules/.package-lock.json" ] \
    || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error) >&2 || return 1
  fi
  (cd "$web" && npm run --silent build -- --outDir "$out" --emptyOutDir) >&2
}
