import type { NextConfig } from 'next';

/**
 * The dashboard is a static export served by the control plane
 * (apps/server/src/routes/dashboard-routes.ts): no Node server at run time,
 * every page fetches its data in the browser through the SDK.
 */
const config: NextConfig = {
  output: 'export',
  // `/providers` → `providers.html`; the control plane maps extensionless paths to it.
  trailingSlash: false,
  images: { unoptimized: true },
  // Both packages export TypeScript source, so Next compiles them with the app.
  transpilePackages: ['@infernetprotocol/sdk', '@infernet/protocol'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
