import {
  AccountProfileResponseSchema,
  ApiKeyListResponseSchema,
  ApiKeyResponseSchema,
  DeleteAccountResponseSchema,
  DeployTokenListResponseSchema,
  DeployTokenResponseSchema,
  DeviceApproveResponseSchema,
  DeviceRequestResponseSchema,
  OperatorJobsResponseSchema,
  OperatorNodesResponseSchema,
  RevokeApiKeyResponseSchema,
  RevokeDeployTokenResponseSchema,
  RunPodGpuTypesResponseSchema,
  RunPodPodResponseSchema,
  SessionResponseSchema,
  SignInResponseSchema,
  SignOutResponseSchema,
  UserCodeSchema,
  formatUserCode,
  type Account,
  type AccountProfile,
  type ApiKey,
  type CloudType,
  type CreatedApiKey,
  type CreatedDeployToken,
  type DeployToken,
  type OperatorJob,
  type OperatorNode,
  type RunPodGpuType,
  type RunPodPod,
} from '@infernet/protocol';
import { SdkError } from './errors';
import {
  HttpTransport,
  type CallOptions,
  type FetchFunction,
  type RequestSpec,
} from './http-transport';
import { path } from './path';
import type { Infer, Schema } from './schema';

export interface AccountClientOptions {
  /**
   * The control plane. Defaults to the page's own origin, which is where the
   * dashboard is served from and where the session cookie belongs.
   */
  baseUrl?: string | undefined;
  fetch?: FetchFunction | undefined;
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
}

export interface SignUpInput {
  email: string;
  password: string;
  name?: string | undefined;
}

export interface SignInInput {
  email: string;
  password: string;
  rememberMe?: boolean | undefined;
}

export type DeviceRequest = Infer<typeof DeviceRequestResponseSchema>['data'];
export type DeviceDecision = Infer<typeof DeviceApproveResponseSchema>['data'];

/** `POST /api/deploy/runpod/pods` as a caller writes it; the server fills in the defaults. */
export interface RunPodLaunch {
  gpu_type_id: string;
  model: string;
  gpu_count?: number | undefined;
  name?: string | undefined;
  cloud_type?: CloudType | undefined;
}

export interface Session {
  user: Account;
  expiresAt: string;
}

/** The exact word `DELETE /api/account` wants, so an account is never deleted by a stray call. */
export const DELETE_ACCOUNT_CONFIRMATION = 'DELETE';

/**
 * The signed-in account's API for the dashboard: sign-up and sign-in,
 * API keys, deploy tokens, device sign-in approval, the account's nodes and
 * jobs, RunPod one-click launch, and account deletion. Authenticates with
 * the session cookie (`credentials: 'include'`), never with a key, so it is
 * meant for pages served by the control plane itself.
 *
 * @example
 * const account = new AccountClient();
 * await account.signIn({ email, password });
 * const nodes = await account.myNodes();
 */
export class AccountClient {
  readonly #transport: HttpTransport;

  constructor({ baseUrl, fetch, ...options }: AccountClientOptions = {}) {
    const globalFetch = globalThis.fetch as FetchFunction | undefined;
    // Bound so a global fetch keeps its `this` (browsers throw "Illegal invocation" otherwise).
    const send = fetch ?? globalFetch?.bind(globalThis);
    if (!send) throw new SdkError('No fetch available: pass `fetch` in the client options.');
    this.#transport = new HttpTransport({
      ...options,
      baseUrl: baseUrl ?? pageOrigin(),
      // The session is a cookie; browsers send it only when asked to.
      fetch: (input, init) => send(input, { ...init, credentials: 'include' }),
    });
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /** Creates the account and signs it in (the session cookie comes with the answer). */
  async signUp(input: SignUpInput, options: CallOptions = {}): Promise<Account> {
    const body = await this.#json(
      { method: 'POST', path: path`/api/auth/sign-up/email`, body: input, idempotent: false },
      SignInResponseSchema,
      options,
    );
    return body.user;
  }

  async signIn(input: SignInInput, options: CallOptions = {}): Promise<Account> {
    const body = await this.#json(
      { method: 'POST', path: path`/api/auth/sign-in/email`, body: input, idempotent: false },
      SignInResponseSchema,
      options,
    );
    return body.user;
  }

  async signOut(options: CallOptions = {}): Promise<void> {
    await this.#json(
      { method: 'POST', path: path`/api/auth/sign-out`, body: {}, idempotent: true },
      SignOutResponseSchema,
      options,
    );
  }

  /** The signed-in user, or null when this browser has no (live) session. */
  async session(options: CallOptions = {}): Promise<Session | null> {
    const body = await this.#json(
      { method: 'GET', path: path`/api/auth/get-session`, idempotent: true },
      SessionResponseSchema,
      options,
    );
    return body === null ? null : { user: body.user, expiresAt: body.session.expiresAt };
  }

  async me(options: CallOptions = {}): Promise<AccountProfile> {
    const body = await this.#json(
      { method: 'GET', path: path`/api/me`, idempotent: true },
      AccountProfileResponseSchema,
      options,
    );
    return body.data;
  }

  /** The key is in this answer only: show it once, it is stored hashed. */
  async createApiKey(name?: string, options: CallOptions = {}): Promise<CreatedApiKey> {
    const body = await this.#json(
      {
        method: 'POST',
        path: path`/api/keys`,
        body: name === undefined ? {} : { name },
        idempotent: false,
      },
      ApiKeyResponseSchema,
      options,
    );
    return body.data;
  }

  async listApiKeys(options: CallOptions = {}): Promise<ApiKey[]> {
    const body = await this.#json(
      { method: 'GET', path: path`/api/keys`, idempotent: true },
      ApiKeyListResponseSchema,
      options,
    );
    return body.data;
  }

  async revokeApiKey(id: string, options: CallOptions = {}): Promise<void> {
    await this.#json(
      { method: 'DELETE', path: path`/api/keys/${id}`, idempotent: true },
      RevokeApiKeyResponseSchema,
      options,
    );
  }

  /** A 24-hour token for provisioning nodes; the token is in this answer only. */
  async createDeployToken(
    input: { label?: string | undefined } = {},
    options: CallOptions = {},
  ): Promise<CreatedDeployToken> {
    const body = await this.#json(
      {
        method: 'POST',
        path: path`/api/deploy/tokens`,
        body: input.label === undefined ? {} : { label: input.label },
        idempotent: false,
      },
      DeployTokenResponseSchema,
      options,
    );
    return body.data;
  }

  async listDeployTokens(options: CallOptions = {}): Promise<DeployToken[]> {
    const body = await this.#json(
      { method: 'GET', path: path`/api/deploy/tokens`, idempotent: true },
      DeployTokenListResponseSchema,
      options,
    );
    return body.data;
  }

  async revokeDeployToken(id: string, options: CallOptions = {}): Promise<void> {
    await this.#json(
      { method: 'DELETE', path: path`/api/deploy/tokens/${id}`, idempotent: true },
      RevokeDeployTokenResponseSchema,
      options,
    );
  }

  /** What an `infernet login` on some node is asking this account to approve. */
  async deviceRequest(userCode: string, options: CallOptions = {}): Promise<DeviceRequest> {
    const body = await this.#json(
      { method: 'GET', path: path`/api/device/${normaliseUserCode(userCode)}`, idempotent: true },
      DeviceRequestResponseSchema,
      options,
    );
    return body.data;
  }

  /** Approves (links the node to this account) or denies a device sign-in. */
  async approveDevice(
    userCode: string,
    approve: boolean,
    options: CallOptions = {},
  ): Promise<DeviceDecision> {
    const body = await this.#json(
      {
        method: 'POST',
        path: path`/api/device/approve`,
        body: { user_code: normaliseUserCode(userCode), approve },
        idempotent: true,
      },
      DeviceApproveResponseSchema,
      options,
    );
    return body.data;
  }

  /** Nodes linked to this account, with status, models, work done and earnings. */
  async myNodes(options: CallOptions = {}): Promise<OperatorNode[]> {
    const body = await this.#json(
      { method: 'GET', path: path`/api/me/nodes`, idempotent: true },
      OperatorNodesResponseSchema,
      options,
    );
    return body.data;
  }

  /** Recent jobs this account's nodes served: metadata and failure reasons only. */
  async myJobs(
    input: { limit?: number | undefined } = {},
    options: CallOptions = {},
  ): Promise<OperatorJob[]> {
    const query = input.limit === undefined ? '' : `?limit=${encodeURIComponent(input.limit)}`;
    const body = await this.#json(
      { method: 'GET', path: path`/api/me/jobs` + query, idempotent: true },
      OperatorJobsResponseSchema,
      options,
    );
    return body.data;
  }

  /** GPU types RunPod offers; the RunPod key rides in a header for this call only. */
  async runpodGpuTypes(runpodApiKey: string, options: CallOptions = {}): Promise<RunPodGpuType[]> {
    const body = await this.#json(
      {
        method: 'GET',
        path: path`/api/deploy/runpod/gpu-types`,
        headers: runpodHeader(runpodApiKey),
        idempotent: true,
      },
      RunPodGpuTypesResponseSchema,
      options,
    );
    return body.data;
  }

  /** Creates a RunPod pod that joins the network as one of this account's nodes. */
  async launchRunpodPod(
    runpodApiKey: string,
    launch: RunPodLaunch,
    options: CallOptions = {},
  ): Promise<RunPodPod> {
    const body = await this.#json(
      {
        method: 'POST',
        path: path`/api/deploy/runpod/pods`,
        headers: runpodHeader(runpodApiKey),
        body: launch,
        // Repeating it could start a second, billed pod.
        idempotent: false,
        maxRetries: 0,
      },
      RunPodPodResponseSchema,
      options,
    );
    return body.data;
  }

  /** Deletes the account, its sessions, keys and deploy tokens, and unlinks its nodes. */
  async deleteAccount(options: CallOptions = {}): Promise<void> {
    await this.#json(
      {
        method: 'DELETE',
        path: path`/api/account`,
        body: { confirm: DELETE_ACCOUNT_CONFIRMATION },
        idempotent: true,
      },
      DeleteAccountResponseSchema,
      options,
    );
  }

  #json<S extends Schema>(spec: RequestSpec, schema: S, options: CallOptions) {
    return this.#transport.requestJson({ ...spec, signal: options.signal }, schema);
  }
}

function pageOrigin(): string {
  const location = (globalThis as { location?: { origin?: string } }).location;
  if (typeof location?.origin === 'string' && location.origin !== 'null') return location.origin;
  throw new SdkError('No page origin here: pass `baseUrl`, e.g. http://localhost:3000.');
}

/** Codes are shown as `ABCD-EFGH`; people type them in lower case or without the dash. */
export function normaliseUserCode(userCode: string): string {
  const parsed = UserCodeSchema.safeParse(userCode);
  if (!parsed.success) {
    throw new SdkError('A device code is the 8 letters and digits the node shows, e.g. ABCD-EFGH.');
  }
  return formatUserCode(parsed.data);
}

function runpodHeader(runpodApiKey: string): Record<string, string> {
  const key = runpodApiKey.trim();
  if (!/^[\x21-\x7e]+$/.test(key))
    throw new SdkError('Enter the RunPod API key as RunPod shows it.');
  return { 'x-runpod-api-key': key };
}
