/**
 * A value as one POSIX shell word: single quotes keep everything literal, and
 * a single quote inside is closed, escaped and reopened ('it'\''s').
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export interface CloudInitSettings {
  /** The deploy token the node links itself with (INFERNET_BEARER). */
  token: string;
  model: string;
  /** Where the node reaches the control plane, without a trailing slash. */
  controlPlaneUrl: string;
}

/**
 * The user-data script of a fresh machine: the settings `install.sh` reads
 * for its unattended setup, then the installer itself, downloaded to a file
 * first so that a failed download stops the script instead of running half
 * an installer.
 */
export function renderCloudInitScript(settings: CloudInitSettings): string {
  const installerUrl = `${settings.controlPlaneUrl}/install.sh`;
  return [
    '#!/bin/sh',
    '# Infernet node: installs the infernet CLI, links this machine to your account',
    '# and starts serving the model below. Generated for you; keep it private, it',
    '# holds a deploy token that stays valid for 24 hours unless you revoke it.',
    'set -eu',
    `export INFERNET_BEARER=${shellQuote(settings.token)}`,
    `export INFERNET_MODEL=${shellQuote(settings.model)}`,
    `export INFERNET_CONTROL_PLANE_URL=${shellQuote(settings.controlPlaneUrl)}`,
    'installer=$(mktemp)',
    'if command -v curl >/dev/null 2>&1; then',
    `  curl -fsSL --retry 5 -o "$installer" ${shellQuote(installerUrl)}`,
    'else',
    `  wget -q -O "$installer" ${shellQuote(installerUrl)}`,
    'fi',
    'sh "$installer"',
    'rm -f "$installer"',
    '',
  ].join('\n');
}
