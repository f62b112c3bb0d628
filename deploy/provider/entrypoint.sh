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
#   INFERNET_START_OLLAMA        1: start the `ollama serve` bundled in the image (Dockerfile
#                                target provider-ollama) and pull INFERNET_MODEL first
#   INFERNET_BEARER              a deploy token (dashboard /deploy, 24 h): links this node to
#                                that account once; read from the environment, never from argv
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

# Starts the bundled Ollama in the background (it outlives this shell, as a
# child of the daemon that replaces it) and pulls the models to serve.
start_bundled_ollama() {
  echo "infernet entrypoint: starting the bundled Ollama" >&2
  ollama serve >&2 &
  tries=0
  until ollama list >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 120 ]; then
      echo "infernet entrypoint: Ollama did not answer within 60 s; see its log above" >&2
      exit 1
    fi
    sleep 0.5
  done
  models="${INFERNET_MODEL:-}"
  if [ -z "$models" ]; then
    echo "infernet entrypoint: INFERNET_MODEL is empty, so nothing is pulled" >&2
    return
  fi
  old_ifs=$IFS
  IFS=,
  for model in $models; do
    IFS=$old_ifs
    echo "infernet entrypoint: pulling $model" >&2
    ollama pull "$model" >&2 || echo "infernet entrypoint: pulling $model failed" >&2
  done
  IFS=$old_ifs
}

main() {
  if [ "${INFERNET_START_OLLAMA:-0}" = 1 ]; then
    start_bundled_ollama
  fi
  config="$(config_directory)/config.json"
  if [ -n "${INFERNET_PRIVATE_KEY:-}" ]; then
    echo "infernet entrypoint: using the key from INFERNET_PRIVATE_KEY" >&2
  elif [ -f "$config" ]; then
    echo "infernet entrypoint: keeping the node identity in $config" >&2
  else
    echo "infernet entrypoint: first run, creating a node identity in $config" >&2
    infernet init >&2
  fi
  # A deploy token links the node to its account (registering it first). The
  # token stays in the environment: in argv every process on the host sees it.
  if [ -n "${INFERNET_BEARER:-}" ]; then
    if ! infernet login >&2; then
      echo "infernet entrypoint: linking with INFERNET_BEARER failed (see above); the node serves unlinked" >&2
    fi
  fi
  # The daemon registers too and retries while the control plane is away;
  # registering here first puts a clear error in the log when it is misconfigured.
  if ! infernet register >&2; then
    echo "infernet entrypoint: register failed (see above); the daemon keeps retrying" >&2
  fi
  # exec: the daemon replaces this shell, so it is the process `docker stop`
  # signals (SIGTERM), and it lets running jobs finish before it exits.
  unset INFERNET_BEARER
  exec infernet start --foreground "$@"
}

main "$@"
