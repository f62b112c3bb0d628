export { createApp, SERVER_VERSION } from './app';
export { loadConfig, type ServerConfig } from './config';
export { createLogger } from './logger';
export { startServer, type RunningServer } from './server';
