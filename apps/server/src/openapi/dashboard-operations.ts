import {
  AccountProfileResponseSchema,
  DeleteAccountRequestSchema,
  DeleteAccountResponseSchema,
  OperatorJobsResponseSchema,
  OperatorNodesResponseSchema,
  PublicProviderDetailResponseSchema,
} from '@infernet/protocol';
import type { Operation } from './operations';

/** The operator's and account's views (docs/deploy-and-dashboard-api.md). */
export const DASHBOARD_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/api/me',
    summary: 'The signed-in account',
    tag: 'accounts',
    security: 'session',
    response: AccountProfileResponseSchema,
  },
  {
    method: 'get',
    path: '/api/me/nodes',
    summary:
      "The account's linked nodes: status from the last heartbeat, models, GPU tiers, jobs, tokens and ledger earnings",
    tag: 'accounts',
    security: 'account',
    response: OperatorNodesResponseSchema,
  },
  {
    method: 'get',
    path: '/api/me/jobs',
    summary:
      "Recent jobs served by the account's nodes (?limit=, 1–200, default 50), with why they failed; never prompts or outputs",
    tag: 'accounts',
    security: 'account',
    response: OperatorJobsResponseSchema,
  },
  {
    method: 'delete',
    path: '/api/account',
    summary:
      'Delete the account: sign-in, sessions, API keys and deploy tokens go, nodes are unlinked, job prompts and outputs are deleted',
    tag: 'accounts',
    security: 'session',
    request: DeleteAccountRequestSchema,
    response: DeleteAccountResponseSchema,
  },
  {
    method: 'get',
    path: '/api/providers/{providerId}',
    summary: "One listed node's coarse public view with its recent work; 404 for a hidden node",
    tag: 'public',
    security: 'none',
    response: PublicProviderDetailResponseSchema,
  },
];
