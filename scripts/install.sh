#!/usr/bin/env bash
# Installs what god's build and tests need on a Debian 12 machine, as root; safe to run again.
#
#   bash scripts/install.sh            # every step
#   bash scripts/install.sh ferretdb   # only the named steps: apt redis ferretdb npm build cli
#
# apt:      the Debian packages that are missing among redis-server, docker.io (dockerd,
#           containerd, runc), busybox-static (the tests' container image), slapd, ldap-utils
#           and openssl (the tests' LDAP directory and its certificate), chromium and
#           fonts-dejavu-core (the web UI's end-to-end tests drive Debian's /usr/bin/chromium
#           with playwright-core, which downloads no browser; the fonts render the screenshots'
#           text), and what node-gyp needs (build-essential, python3). Services are not started
#           by the packages.
# redis:    makes Debian's redis-server (when installed) need a password, since whoever can
#           write to god's Redis controls god: its default user off, an ACL user `god` with a
#           random password kept in $GOD_ETC/redis-password (mode 0600; GOD_ETC=/etc/god by
#           default) and only as a SHA-256 hash in god.conf next to redis.conf, which redis.conf
#           includes ($GOD_REDIS_CONF, default /etc/redis/redis.conf). $GOD_ETC/god.env holds the
#           settings god then needs (GODOCKER_REDIS_USERNAME, GODOCKER_REDIS_PASSWORD_FILE).
#           A running redis-server is restarted. The tests start Redis servers of their own.
# ferretdb: FerretDB v1 (MongoDB wire protocol over SQLite) built from source with Go into
#           $GOD_FERRETDB, else $(go env GOPATH)/bin/ferretdb, unless that one is already v1.24.0.
# npm:      npm ci (native modules built against the local Node.js headers when present).
# build:    npm run build (also packages/cli/dist/god-cli.mjs, the workstation god: README).
# cli:      puts `god` on the PATH: $GOD_BIN_DIR/god (default /usr/local/bin/god), a launcher
#           of this checkout's built packages/cli/dist/main.js with this machine's node. Only
#           that file is written; run it again after moving the checkout or Node.js.
#
# Needs, already on the machine: Node.js >= 20.19 with npm, Go >= 1.22, and the package
# registries (Debian, the Go module proxy, npm).
set -euo pipefail

FERRETDB_VERSION=v1.24.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

step() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- apt ---------------------------------------------------------------------------------

# Prints the Debian packages that are missing, one per line.
missing_packages() {
  local pkg
  for pkg in redis-server docker.io busybox-static slapd ldap-utils openssl \
    chromium fonts-dejavu-core; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' ||
      echo "$pkg"
  done
  { command -v make && command -v g++; } >/dev/null 2>&1 || echo build-essential
  command -v python3 >/dev/null 2>&1 || echo python3
  command -v tar >/dev/null 2>&1 || echo tar
}

install_apt() {
  step "Debian packages"
  local missing
  missing="$(missing_packages | tr '\n' ' ')"
  if [ -z "${missing// /}" ]; then
    echo "all present"
    return
  fi
  echo "missing: $missing"
  as_root apt-get update
  # Keep the packages' own services (system redis, dockerd, slapd) from starting: the tests
  # start private instances of their own. policy-rc.d is Debian's switch for that.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    added_policy=1
  fi
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing ||
    { [ "$added_policy" = 1 ] && as_root rm -f "$policy"; die "apt-get install failed"; }
  if [ "$added_policy" = 1 ]; then as_root rm -f "$policy"; fi
}

# --- redis -------------------------------------------------------------------------------

secure_redis() {
  step "Redis authentication"
  local conf="${GOD_REDIS_CONF:-/etc/redis/redis.conf}" etc="${GOD_ETC:-/etc/god}"
  if ! as_root test -f "$conf"; then
    echo "no $conf: nothing to secure"
    return
  fi
  local pwfile="$etc/redis-password" godconf
  godconf="$(dirname "$conf")/god.conf"
  as_root install -d -m 0755 "$etc"
  if ! as_root test -s "$pwfile"; then
    # umask 077: the password is never readable by other accounts, not even for a moment.
    (umask 077 && head -c 32 /dev/urandom | base64 -w0 | tr -d '/+=' | as_root tee "$pwfile" >/dev/null)
  fi
  as_root chown "$(id -u):$(id -g)" "$pwfile"
  as_root chmod 600 "$pwfile"
  local hash
  hash="$(as_root cat "$pwfile" | tr -d '\n' | sha256sum | cut -d' ' -f1)"
  printf '%s\n' \
    "# Written by god's scripts/install.sh (step redis); rewritten when it runs again." \
    "# No access without a password: god logs in as the ACL user god, whose password is in" \
    "# $pwfile (only its SHA-256 is here)." \
    'protected-mode yes' \
    'user default off' \
    "user god on #$hash ~* &* +@all" | as_root tee "$godconf" >/dev/null
  # As readable as redis.conf itself (redis:redis 0640 on Debian), no more.
  as_root chown --reference="$conf" "$godconf"
  as_root chmod 640 "$godconf"
  as_root grep -qxF "include $godconf" "$conf" ||
    echo "include $godconf" | as_root tee -a "$conf" >/dev/null
  printf '%s\n' 'GODOCKER_REDIS_USERNAME=god' "GODOCKER_REDIS_PASSWORD_FILE=$pwfile" |
    as_root tee "$etc/god.env" >/dev/null
  if [ -z "${GOD_REDIS_CONF:-}" ] && command -v systemctl >/dev/null 2>&1 &&
    systemctl is-active --quiet redis-server 2>/dev/null; then
    as_root systemctl restart redis-server
  fi
  echo "redis-server needs a password now; god reads it with the settings in $etc/god.env"
}

# --- toolchains --------------------------------------------------------------------------

check_node() {
  command -v node >/dev/null 2>&1 || die "Node.js >= 20.19 is needed (not found)"
  command -v npm >/dev/null 2>&1 || die "npm is needed (not found)"
  node -e '
    const [maj, min] = process.versions.node.split(".").map(Number);
    if (maj < 20 || (maj === 20 && min < 19)) {
      console.error(`Node.js >= 20.19 is needed, this is ${process.version}`);
      process.exit(1);
    }' || die "Node.js is too old"
  echo "node $(node --version), npm $(npm --version)"
}

# --- ferretdb ----------------------------------------------------------------------------

ferretdb_target() {
  if [ -n "${GOD_FERRETDB:-}" ]; then echo "$GOD_FERRETDB"; else echo "$(go env GOPATH)/bin/ferretdb"; fi
}

# The module proxy does not serve v1.24.1, and refuses the version-list lookup that
# `go install …@v1.24.0` makes; so: fetch v1.24.0 as a dependency of a throwaway module,
# copy its source, add the build/version/version.txt that the module zip lacks (without it
# the binary panics at start), and build that.
install_ferretdb() {
  step "FerretDB $FERRETDB_VERSION"
  command -v go >/dev/null 2>&1 || die "Go >= 1.22 is needed to build FerretDB (not found)"
  local target
  target="$(ferretdb_target)"
  if [ -x "$target" ] && "$target" --version 2>/dev/null | grep -q "^version: $FERRETDB_VERSION\$"; then
    echo "already built: $target"
    return
  fi
  echo "building into $target with $(go version)"
  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand $work now
  trap "rm -rf '$work'" EXIT
  mkdir "$work/mod"
  (
    cd "$work/mod"
    go mod init god.invalid/ferretdb-build >/dev/null 2>&1
    printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/FerretDB/FerretDB/cmd/ferretdb"\n' >tools.go
    go mod edit -require="github.com/FerretDB/FerretDB@$FERRETDB_VERSION"
    go mod tidy
    go mod download github.com/FerretDB/FerretDB
  )
  local src
  src="$(cd "$work/mod" && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
  [ -d "$src" ] || die "FerretDB source not found in the module cache"
  cp -R "$src" "$work/src"
  chmod -R u+w "$work/src"
  echo "$FERRETDB_VERSION" >"$work/src/build/version/version.txt"
  mkdir -p "$(dirname "$target")"
  (cd "$work/src" && GOFLAGS=-buildvcs=false go build -o "$target" ./cmd/ferretdb)
  rm -rf "$work"
  trap - EXIT
  "$target" --version | head -1
}

# --- npm ---------------------------------------------------------------------------------

install_npm() {
  step "npm ci"
  check_node
  # Build native modules (better-sqlite3) against the installed headers instead of
  # downloading them: only the package registries are reachable.
  if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
  cd "$ROOT"
  npm ci --no-audit --no-fund && return
  # npm ci also refuses a lock that lacks optional packages for *other* platforms (rollup's
  # and esbuild's native builds) when the registry this machine reaches does not serve those
  # versions: npm install then writes exactly the same lock. So: accept the lock if npm would
  # not change it, and install from it with npm install; fail on real drift.
  echo "npm ci refused package-lock.json; checking that npm would write the same lock"
  local saved
  saved="$(mktemp)"
  cp package-lock.json "$saved"
  npm install --package-lock-only --no-audit --no-fund
  if ! cmp -s package-lock.json "$saved"; then
    cp "$saved" package-lock.json
    rm -f "$saved"
    die "package-lock.json is out of sync with package.json: run npm install and commit the lock"
  fi
  echo "the lock is what npm writes here (only foreign-platform optional packages are missing)"
  npm install --no-audit --no-fund
  cmp -s package-lock.json "$saved" || echo "warning: npm install changed package-lock.json" >&2
  rm -f "$saved"
}

build() {
  step "npm run build"
  (cd "$ROOT" && npm run build)
}

# --- cli ---------------------------------------------------------------------------------

# Prints $1 quoted for sh: in single quotes, each ' as '\''.
sh_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# The line that makes a launcher ours, to replace; any other $GOD_BIN_DIR/god is left alone.
MARK="Written by god's scripts/install.sh (step cli)"

install_cli() {
  local dir="${GOD_BIN_DIR:-/usr/local/bin}" main="$ROOT/packages/cli/dist/main.js" node
  step "god on the PATH: $dir/god"
  [ -f "$main" ] || die "$main is missing: run the build step first"
  node="$(command -v node)" || die "Node.js >= 20.19 is needed (not found)"
  # The absolute path of node: sudo, cron and systemd have a PATH of their own.
  local launcher
  launcher="$(mktemp)"
  printf '%s\n' '#!/bin/sh' \
    "# $MARK: the god command of $ROOT." \
    "exec $(sh_quote "$node") $(sh_quote "$main") \"\$@\"" >"$launcher"
  if cmp -s "$launcher" "$dir/god" 2>/dev/null; then
    echo "already installed"
  elif [ -e "$dir/god" ] && ! grep -qF "$MARK" "$dir/god"; then
    rm -f "$launcher"
    die "$dir/god exists and is not god's launcher: move it away, or set GOD_BIN_DIR"
  elif [ -w "$dir" ] || { [ ! -e "$dir" ] && [ -w "$(dirname "$dir")" ]; }; then
    install -D -m 0755 "$launcher" "$dir/god"
  else
    as_root install -D -m 0755 "$launcher" "$dir/god"
  fi
  rm -f "$launcher"
  case ":$PATH:" in
    *":$dir:"*) ;;
    *) echo "warning: $dir is not on this PATH" >&2 ;;
  esac
  "$dir/god" --help >/dev/null || die "$dir/god --help failed"
  echo "$dir/god runs $main"
}

main() {
  local steps=("$@")
  [ "${#steps[@]}" -gt 0 ] || steps=(apt redis ferretdb npm build cli)
  local s
  for s in "${steps[@]}"; do
    case "$s" in
      apt) install_apt ;;
      redis) secure_redis ;;
      ferretdb) install_ferretdb ;;
      npm) install_npm ;;
      build) build ;;
      cli) install_cli ;;
      *) die "unknown step: $s (steps: apt redis ferretdb npm build cli)" ;;
    esac
  done
  step "install.sh: done (${steps[*]})"
}

main "$@"
