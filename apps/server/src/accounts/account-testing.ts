import type { TestApp } from '../testing';

type App = TestApp['app'];

/** Test-only: the `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0]!)
    .join('; ');
}

function postJson(app: App, path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Test-only: signs up and returns the session cookie and account id. */
export async function signUp(app: App, email: string, password = 'correct horse battery') {
  const response = await postJson(app, '/api/auth/sign-up/email', { email, password });
  if (response.status !== 201) throw new Error(`sign-up failed: ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string } };
  return { cookie: cookieHeader(response), accountId: body.user.id };
}

export function signIn(app: App, email: string, password: string) {
  return postJson(app, '/api/auth/sign-in/email', { email, password });
}

/** Test-only: creates an API key with a session cookie and returns the key. */
export async function createApiKey(app: App, cookie: string, name = 'test') {
  const response = await postJson(app, '/api/keys', { name }, { cookie });
  if (response.status !== 201) throw new Error(`key creation failed: ${await response.text()}`);
  return ((await response.json()) as { data: { id: string; key: string } }).data;
}

/** Test-only: the Authorization header that presents `token` (an API key or a token) as a bearer. */
export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

/** Test-only: an error response's status and error code. */
export async function errorOf(response: Response) {
  return [response.status, ((await response.json()) as { error: { code: string } }).error.code];
}

/** Test-only: submits a chat for model `m` asking `content`, and returns the queued job's id. */
export async function submitChat(app: App, content: string, headers: Record<string, string> = {}) {
  const chat = { model: 'm', messages: [{ role: 'user', content }] };
  const response = await postJson(app, '/api/chat', chat, headers);
  if (response.status !== 201) throw new Error(`chat submission failed: ${await response.text()}`);
  return ((await response.json()) as { jobId: string }).jobId;
}
