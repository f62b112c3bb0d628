import { expect } from 'vitest';

/** A signed-up account and its session cookie, as the dashboard holds them. */
export interface Operator {
  serverUrl: string;
  cookie: string;
  accountId: string;
}

/** Signs an operator up with email and password; the session comes back as cookies. */
export async function signUpOperator(serverUrl: string, email: string): Promise<Operator> {
  const response = await fetch(`${serverUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { user: { id: string } };
  const cookie = response.headers
    .getSetCookie()
    .map((entry) => entry.split(';')[0]!)
    .join('; ');
  return { serverUrl, cookie, accountId: body.user.id };
}

/** A GET (no body) or POST with the operator's session cookie. */
export async function asOperator(
  operator: Operator,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: { data: unknown } }> {
  const response = await fetch(`${operator.serverUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie: operator.cookie, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { data: unknown } };
}

/** Mints a deploy token with the operator's session, as the /deploy page does. */
export async function mintDeployToken(operator: Operator, label: string): Promise<string> {
  const minted = await asOperator(operator, '/api/deploy/tokens', { label });
  expect(minted.status).toBe(201);
  return (minted.body.data as { token: string }).token;
}

/** The names of the nodes linked to the operator's account. */
export async function linkedNodeNames(operator: Operator): Promise<string[]> {
  const nodes = await asOperator(operator, '/api/me/nodes');
  expect(nodes.status).toBe(200);
  return (nodes.body.data as { name: string }[]).map((node) => node.name);
}
