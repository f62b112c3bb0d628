#!/bin/sh
# Provider container entrypoint: create the node identity on first run, then
# register and run the daemon in the foreground (JSON log lines on stdout).
# Arguments are passed on to `infernet start --foreground`.
#
# Environment (read by the CLI itself; see apps/cli/README.md):
#   INFERNET_CONTROL_PLANE_URL   control plane (default http://localhost:3000)
#   INFERNET_ENGINE              ollama (default), openai-compatible or stub
#   INFERNET_ENGINE_URL          the engine (default http://127.0.0.1:11434; OLLAMA_HOST works too)
#   INFERNET_MODEL               models to serve, comma-separated (default: all the engine has)
#   INFERNET_NODE_NAME           name shown to others
#   INFERNET_PRIVATE_KEY         bring your own key instead of the one kept in the config volume
#
# The identity lives in $XDG_CONFIG_HOME/infernet (else ~/.config/infernet):
# mount a volume there to keep the same node across container restarts.
# No database credential is ever needed: every request is signed with that key.
set -eu

config_directory() {
  case "${XDG_CONFIG_HOME:-}" in
    /*) printf '%s/infernet' "$XDG_CONFIG_HOME" ;;
    *) printf '%s/.config/infernet' "${HOME:?HOME must be set}" ;;
  esac
}

main() {
  config="$(config_directory)/config.json"
  if [ -n "${INFERNET_PRIVATE_KEY:-}" ]; then
    echo "infernet entrypoint: using the key from INFERNET_PRIVATE_KEY" >&2
  elif [ -f "$config" ]; then
    echo "infernet entrypoint: keeping the node identity in $config" >&2
  else
    echo "infernet entrypoint: first run, creating a node identity in $config" >&2
    infernet init >&2
  fi
  # The daemon registers too and retries while the control plane is away;
  # registering here first puts a clear error in the log when it is misconfigured.
  if ! infernet register >&2; then
    echo "infernet entrypoint: register failed (see above); the daemon keeps retrying" >&2
  fi
  # exec: the daemon replaces this shell, so it is the process `docker stop`
  # signals (SIGTERM), and it lets running jobs finish before it exits.
  exec infernet start --foreground "$@"
}

main "$@"
