#!/bin/sh
# Infernet installer: puts the `infernet` CLI in ~/.infernet/source and a
# shim at ~/.local/bin/infernet. Re-run it any time to update; the node's
# identity and config (~/.config/infernet) are never touched. No sudo, no
# system directories.
#
#   curl -fsSL https://infernetprotocol.com/install.sh | sh
#
# Unattended (cloud-init, a GPU box's "start command"): with a deploy token
# it also creates the identity, signs in, registers and starts the node:
#
#   curl -fsSL https://infernetprotocol.com/install.sh \
#     | INFERNET_BEARER=$TOKEN INFERNET_MODEL=qwen2.5:7b sh
#
# Environment (all optional):
#   INFERNET_HOME               install here (default ~/.infernet; the code is in its source/)
#   INFERNET_BIN_DIR            put the shim here (default ~/.local/bin)
#   INFERNET_REPO_URL           git repository to clone (default the public one)
#   INFERNET_REF                branch or tag to install (default the repository's default branch)
#   INFERNET_SOURCE_DIR         copy this local checkout instead of cloning (offline, tests)
#   INFERNET_NO_DOWNLOAD=1      never touch the network: use INFERNET_SOURCE_DIR (or the code
#                               already installed), the Node.js on PATH and npm's cache
#   INFERNET_BEARER             deploy token: run init, login, setup/register and start
#   INFERNET_MODEL, INFERNET_CONTROL_PLANE_URL, INFERNET_NODE_NAME, INFERNET_ENGINE_URL
#                               settings for that unattended setup (saved by `infernet init`)
#   INFERNET_SKIP_SETUP=1       install or update only, even with INFERNET_BEARER set
#   INFERNET_SKIP_RESTART=1     leave a running node daemon alone (`infernet update` drains
#                               and restarts it itself)
#
# Exit status: 0 installed, 1 something failed (the message says what to do next).

# Everything is inside functions and `main` runs on the last line, so a shell
# reading this from a pipe (or a file being replaced by an update) never runs
# half a script.
set -eu

NODE_MAJOR_MIN=20
NODE_MINOR_MIN=19
NODE_DOWNLOAD_LINE=v22
DEFAULT_REPO_URL=https://github.com/profullstack/infernet-protocol.git

say() { printf '%s\n' "$*"; }
warn() { printf 'infernet install: %s\n' "$*" >&2; }
die() {
  printf 'infernet install: %s\n' "$*" >&2
  if [ -n "${STOPPED_DAEMON:-}" ]; then
    printf 'infernet install: the node daemon was stopped for the update: start it with "infernet start".\n' >&2
  fi
  exit 1
}

# Quotes a value for a POSIX shell: 'it'"'"'s' style.
shell_quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

no_download() {
  case "${INFERNET_NO_DOWNLOAD:-}" in
    '' | 0) return 1 ;;
    *) return 0 ;;
  esac
}

# --- Node.js ------------------------------------------------------------------

# Whether $1 is a node binary of at least NODE_MAJOR_MIN.NODE_MINOR_MIN.
node_is_recent() {
  "$1" -e "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>$NODE_MAJOR_MIN||(a===$NODE_MAJOR_MIN&&b>=$NODE_MINOR_MIN)?0:1)" \
    >/dev/null 2>&1
}

download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "need curl or wget to download $1: install one (e.g. \`apt-get install curl\`) and re-run."
  fi
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# Installs the latest Node.js $NODE_DOWNLOAD_LINE release under $INFERNET_HOME/node,
# checked against the release's SHASUMS256.txt. Nothing outside $INFERNET_HOME changes.
install_node() {
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no Node.js build for $(uname -s): install Node.js $NODE_MAJOR_MIN.$NODE_MINOR_MIN or newer yourself and re-run." ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Node.js build for $(uname -m): install Node.js $NODE_MAJOR_MIN.$NODE_MINOR_MIN or newer yourself and re-run." ;;
  esac
  base="https://nodejs.org/dist/latest-$NODE_DOWNLOAD_LINE.x"
  work="$INFERNET_HOME/node.download.$$"
  rm -rf "$work"
  mkdir -p "$work"
  say "Downloading Node.js ($NODE_DOWNLOAD_LINE, $os-$arch) into $INFERNET_HOME/node…"
  download "$base/SHASUMS256.txt" "$work/SHASUMS256.txt"
  line=$(grep " node-v[0-9.]*-$os-$arch.tar.gz\$" "$work/SHASUMS256.txt" | head -n 1) ||
    die "no $os-$arch build listed at $base: install Node.js yourself and re-run."
  expected=${line%% *}
  file=${line##* }
  download "$base/$file" "$work/$file"
  [ "$(sha256_of "$work/$file")" = "$expected" ] ||
    die "the Node.js download $file does not match its checksum: re-run the installer."
  tar -xzf "$work/$file" -C "$work"
  rm -rf "$INFERNET_HOME/node"
  mv "$work/${file%.tar.gz}" "$INFERNET_HOME/node"
  rm -rf "$work"
}

# Sets NODE and NODE_BIN_DIR: the node on PATH if recent enough, else ours.
find_node() {
  candidate=$(command -v node 2>/dev/null || true)
  if [ -n "$candidate" ] && node_is_recent "$candidate"; then
    NODE=$candidate
  elif [ -x "$INFERNET_HOME/node/bin/node" ] && node_is_recent "$INFERNET_HOME/node/bin/node"; then
    NODE=$INFERNET_HOME/node/bin/node
  elif no_download; then
    die "Node.js $NODE_MAJOR_MIN.$NODE_MINOR_MIN or newer is needed and INFERNET_NO_DOWNLOAD is set: install Node.js (https://nodejs.org) and re-run."
  else
    install_node
    NODE=$INFERNET_HOME/node/bin/node
  fi
  NODE_BIN_DIR=$(dirname "$NODE")
  [ -x "$NODE_BIN_DIR/npm" ] || command -v npm >/dev/null 2>&1 ||
    die "npm is missing beside $NODE: install npm (it ships with Node.js) and re-run."
}

# --- the code -----------------------------------------------------------------

# Copies a local checkout without its dependencies, build output or git data.
copy_checkout() {
  from=$1
  [ -f "$from/apps/cli/bin/infernet.js" ] ||
    die "INFERNET_SOURCE_DIR=$from is not an Infernet checkout (no apps/cli/bin/infernet.js)."
  staging="$INFERNET_HOME/source.new.$$"
  rm -rf "$staging"
  mkdir -p "$staging"
  (cd "$from" && tar -cf - --exclude=node_modules --exclude=.git --exclude=.data \
    --exclude=test-artifacts --exclude=coverage .) | (cd "$staging" && tar -xf -)
  rm -rf "$SOURCE"
  mv "$staging" "$SOURCE"
}

fetch_with_git() {
  command -v git >/dev/null 2>&1 ||
    die "git is needed to download Infernet: install it (e.g. \`apt-get install git\`) and re-run."
  if [ -d "$SOURCE/.git" ]; then
    say "Updating $SOURCE from $REPO_URL${REF:+ ($REF)}…"
    git -C "$SOURCE" remote set-url origin "$REPO_URL"
    git -C "$SOURCE" fetch --quiet --depth 1 origin "${REF:-HEAD}" ||
      die "cannot fetch $REPO_URL: check the network (or set INFERNET_NO_DOWNLOAD=1 to keep the installed code) and re-run."
    # The install directory belongs to the installer: local edits there are replaced.
    git -C "$SOURCE" reset --quiet --hard FETCH_HEAD
  else
    say "Downloading Infernet from $REPO_URL${REF:+ ($REF)}…"
    staging="$INFERNET_HOME/source.new.$$"
    rm -rf "$staging"
    git clone --quiet --depth 1 ${REF:+--branch "$REF"} "$REPO_URL" "$staging" ||
      die "cannot clone $REPO_URL: check the network and INFERNET_REPO_URL, then re-run."
    rm -rf "$SOURCE"
    mv "$staging" "$SOURCE"
  fi
}

# Where the code comes from: INFERNET_SOURCE_DIR, else INFERNET_REPO_URL, else
# what the last install used (so re-running it updates the same way).
get_source() {
  copy_from=${INFERNET_SOURCE_DIR:-}
  if [ -z "$copy_from" ] && [ -z "${INFERNET_REPO_URL:-}" ] &&
    [ "$(receipt_value INFERNET_SOURCE_KIND)" = copy ]; then
    copy_from=$(receipt_value INFERNET_SOURCE_DIR)
  fi
  if [ -n "$copy_from" ]; then
    from=$(cd "$copy_from" 2>/dev/null && pwd) ||
      die "the checkout to copy, $copy_from, does not exist: set INFERNET_SOURCE_DIR to one (or INFERNET_REPO_URL to clone) and re-run."
    [ "$from" != "$SOURCE" ] || die "INFERNET_SOURCE_DIR must not be the install directory $SOURCE."
    say "Copying Infernet from $from…"
    copy_checkout "$from"
    SOURCE_KIND=copy
    COPIED_FROM=$from
  elif no_download; then
    [ -f "$SOURCE/apps/cli/bin/infernet.js" ] ||
      die "INFERNET_NO_DOWNLOAD is set and nothing is installed yet: set INFERNET_SOURCE_DIR to a checkout of Infernet."
    say "Keeping the code in $SOURCE (INFERNET_NO_DOWNLOAD is set)."
    SOURCE_KIND=$(receipt_value INFERNET_SOURCE_KIND)
    SOURCE_KIND=${SOURCE_KIND:-git}
    COPIED_FROM=$(receipt_value INFERNET_SOURCE_DIR)
  else
    fetch_with_git
    SOURCE_KIND=git
    COPIED_FROM=
  fi
}

# Installs what the CLI needs at run time and nothing else: the dependencies of
# the @infernet/cli workspace (tsx included: it runs the TypeScript directly),
# without the control plane's database or any development tool (43 MB, not 200).
install_dependencies() {
  say "Installing dependencies (npm ci --omit=dev)…"
  offline=
  if no_download; then offline=--offline; fi
  # shellcheck disable=SC2086 # $offline is one flag or nothing.
  (cd "$SOURCE" && PATH="$NODE_BIN_DIR:$PATH" npm ci --workspace @infernet/cli --omit=dev \
    --no-audit --no-fund --update-notifier=false --loglevel=error $offline >"$INFERNET_HOME/npm-install.log" 2>&1) || {
    tail -n 20 "$INFERNET_HOME/npm-install.log" >&2
    if no_download; then
      die "npm could not install the dependencies from its cache (INFERNET_NO_DOWNLOAD is set): run once with downloads allowed. Full log: $INFERNET_HOME/npm-install.log"
    fi
    die "npm could not install the dependencies: see $INFERNET_HOME/npm-install.log, fix the cause (network, disk space) and re-run."
  }
}

write_shim() {
  mkdir -p "$BIN_DIR"
  staging="$BIN_DIR/.infernet.new.$$"
  {
    say '#!/bin/sh'
    say '# The infernet command, written by install.sh. Update it with "infernet update"'
    say '# (or by re-running the installer).'
    say "node=$(shell_quote "$NODE")"
    say "[ -x \"\$node\" ] || node=\$(command -v node) || {"
    say "  echo 'infernet: Node.js is missing: re-run the installer to get it back.' >&2"
    say '  exit 1'
    say '}'
    say "exec \"\$node\" $(shell_quote "$SOURCE/apps/cli/bin/infernet.js") \"\$@\""
  } >"$staging"
  chmod 755 "$staging"
  mv "$staging" "$SHIM"
}

receipt_value() {
  [ -f "$RECEIPT" ] || return 0
  sed -n "s/^$1=//p" "$RECEIPT" | head -n 1
}

# Read by `infernet update` to repeat this install the same way.
write_receipt() {
  staging="$RECEIPT.new.$$"
  {
    say '# Written by install.sh; read by "infernet update". KEY=value, one per line.'
    say "INFERNET_SOURCE_KIND=$SOURCE_KIND"
    say "INFERNET_REPO_URL=$REPO_URL"
    say "INFERNET_REF=$REF"
    say "INFERNET_SOURCE_DIR=$COPIED_FROM"
    say "INFERNET_BIN_DIR=$BIN_DIR"
    say "INFERNET_SHIM=$SHIM"
    say "INFERNET_NODE=$NODE"
    say "INFERNET_INSTALLED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$staging"
  mv "$staging" "$RECEIPT"
}

# --- the node daemon --------------------------------------------------------------

config_directory() {
  case "${XDG_CONFIG_HOME:-}" in
    /*) printf '%s/infernet' "$XDG_CONFIG_HOME" ;;
    *) printf '%s/.config/infernet' "$HOME" ;;
  esac
}

# The pid of a running node daemon for this user's config, if any (no network).
daemon_pid() {
  pid_file="$(config_directory)/daemon.pid"
  [ -f "$pid_file" ] || return 1
  pid=$(cat "$pid_file" 2>/dev/null) || return 1
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  printf '%s' "$pid"
}

# Whether this version of the CLI has a command: `infernet --help` lists each
# one as "  NAME [options]  description" (read once: each run loads the CLI).
has_command() {
  [ -n "${CLI_HELP:-}" ] || CLI_HELP=$("$SHIM" --help 2>/dev/null || true)
  printf '%s\n' "$CLI_HELP" | grep -Eq "^  $1( |\$)"
}

step() {
  description=$1
  shift
  say "→ $description"
  "$@" || die "\`$description\` failed (see the message above): fix the cause and re-run the installer, or go on by hand from that step."
}

# init → login → setup (or register) → start, with no questions asked.
run_unattended() {
  say ''
  say 'INFERNET_BEARER is set: setting up this node unattended.'
  if [ -f "$(config_directory)/config.json" ]; then
    say "→ keeping the node identity in $(config_directory)/config.json"
  else
    step 'infernet init' "$SHIM" init
  fi
  if has_command login; then
    say '→ infernet login (with the deploy token in INFERNET_BEARER)'
    # The token reaches the CLI through its environment, never its arguments, which `ps` shows.
    # A refused token leaves the node unlinked, not unusable: it still registers and serves.
    if ! INFERNET_BEARER=$INFERNET_BEARER "$SHIM" login; then
      say '→ login failed (see the message above), so this node is not linked to your account;'
      say '  it still registers and serves jobs. Mint a new deploy token on the dashboard'"'"'s'
      say '  /deploy page and run: INFERNET_BEARER=TOKEN infernet login'
    fi
  else
    say '→ login: not in this version of the CLI, so the deploy token was not used and linking'
    say '  this node to your account is pending; the node still registers and serves jobs.'
    say '  Once "infernet login" exists (after "infernet update"), run: infernet login --token TOKEN'
  fi
  if has_command setup; then
    step 'infernet setup --yes' "$SHIM" setup --yes
  fi
  step 'infernet register' "$SHIM" register
  if running=$(daemon_pid); then
    say "→ the node daemon already runs (pid $running)"
  else
    step 'infernet start' "$SHIM" start
  fi
}

main() {
  # cloud-init and some `curl | sh` setups run without HOME: take it from the user database.
  if [ -z "${HOME:-}" ]; then
    HOME=$( (getent passwd "$(id -un)" 2>/dev/null || true) | cut -d : -f 6)
    [ -n "$HOME" ] || die "HOME is not set: set it to the home of the user who will run the node and re-run."
    export HOME
  fi
  INFERNET_HOME=${INFERNET_HOME:-$HOME/.infernet}
  SOURCE=$INFERNET_HOME/source
  RECEIPT=$INFERNET_HOME/install.conf
  mkdir -p "$INFERNET_HOME"
  BIN_DIR=${INFERNET_BIN_DIR:-$(receipt_value INFERNET_BIN_DIR)}
  BIN_DIR=${BIN_DIR:-$HOME/.local/bin}
  SHIM=$BIN_DIR/infernet
  REPO_URL=${INFERNET_REPO_URL:-$(receipt_value INFERNET_REPO_URL)}
  REPO_URL=${REPO_URL:-$DEFAULT_REPO_URL}
  REF=${INFERNET_REF-$(receipt_value INFERNET_REF)}

  find_node
  restart_pid=
  if [ "${INFERNET_SKIP_RESTART:-0}" = 0 ] && [ -x "$SHIM" ] && restart_pid=$(daemon_pid); then
    say "A node daemon is running (pid $restart_pid): stopping it once its running jobs finish…"
    "$SHIM" stop || die "could not stop the running node daemon: stop it with \`infernet stop\` and re-run."
    STOPPED_DAEMON=$restart_pid
  fi
  get_source
  install_dependencies
  write_shim
  write_receipt
  version=$("$SHIM" --version) ||
    die "the installed CLI does not run: see the message above, then re-run the installer."
  say "Installed infernet $version in $SOURCE"
  say "Command:   $SHIM"
  case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *)
      say ''
      say "$BIN_DIR is not on your PATH. Add it (e.g. to ~/.profile):"
      say "  export PATH=\"$BIN_DIR:\$PATH\""
      ;;
  esac
  if [ -n "$restart_pid" ]; then
    step 'infernet start (the updated daemon)' "$SHIM" start
    STOPPED_DAEMON=
  fi
  if [ -n "${INFERNET_BEARER:-}" ] && [ "${INFERNET_SKIP_SETUP:-0}" = 0 ]; then
    run_unattended
  elif [ -f "$(config_directory)/config.json" ]; then
    say "Kept this node's identity and config in $(config_directory)."
  else
    say ''
    say 'Next: infernet init, then infernet register and infernet start ("infernet help" lists every command).'
  fi
}

main "$@"
