'use client';

import { useState } from 'react';
import { DeployTokens } from './deploy-tokens';
import { RequireSession } from './require-session';
import { RunPodLaunch } from './runpod-launch';

export function DeployView() {
  // A RunPod launch mints a token too; bumping this reloads the token list.
  const [refreshKey, setRefreshKey] = useState(0);
  return (
    <RequireSession>
      {() => (
        <div className="space-y-6">
          <DeployTokens refreshKey={refreshKey} />
          <RunPodLaunch onLaunched={() => setRefreshKey((value) => value + 1)} />
        </div>
      )}
    </RequireSession>
  );
}
