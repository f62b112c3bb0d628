export { openDatabase } from './open-database';
export {
  createScratchDatabase,
  openTestDatabase,
  type ScratchDatabase,
  type TestDatabaseOptions,
} from './test-database';
export type * from './types';
export type * from './account-types';
export type * from './account-deletion';
export type * from './dashboard';
export type * from './deploy-tokens';
export type * from './device-codes';
export type { Dialect } from 'kysely';
export { CONSUMER_PAYMENTS_ACCOUNT, providerAccount } from './ledger';
export { NIM_FALLBACK_PROVIDER } from './job-queue';
export { NotificationHub, WILDCARD } from './notification-hub';
