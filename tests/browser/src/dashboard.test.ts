import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from '@infernet/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPOSITORY_ROOT,
  runCli,
  temporaryHome,
  type ManagedProcess,
} from '../../e2e/src/processes';
import { DESKTOP, PHONE, launchChromium, watchOffsiteRequests } from './chromium';
import {
  MODEL,
  REPLY,
  STALLED_PIECES,
  STALL_AFTER,
  STALL_PHRASE,
  startDashboardStack,
  type DashboardStack,
} from './dashboard-stack';

const SCREENSHOTS = join(REPOSITORY_ROOT, 'test-artifacts/screenshots');
const NODE_NAME = 'browser-node';
const DEVICE_NODE_NAME = 'device-node';
const EMAIL = 'operator@example.com';
const PASSWORD = 'correct horse battery staple';
/** Pages poll and stream; give them time, and fail loudly when nothing comes. */
const EVENTUALLY = { timeout: 15_000, interval: 50 };

interface Watched {
  answerLengths: number[];
}

/** Runs in the page: records the last answer's length after every change to the conversation. */
function watchAnswerLengths() {
  const watched = window as unknown as Watched;
  watched.answerLengths = [];
  const log = document.querySelector('[role="log"]');
  if (!log) throw new Error('no conversation log on the page');
  new MutationObserver(() => {
    const answers = document.querySelectorAll('[data-testid="chat-answer"]');
    const last = answers[answers.length - 1];
    if (last) watched.answerLengths.push(last.textContent?.length ?? 0);
  }).observe(log, { subtree: true, childList: true, characterData: true });
}

/**
 * The dashboard in a real Chromium, against a real control plane process
 * serving the built export and real `infernet` nodes on a fake engine:
 * accounts, keys, deploy tokens, chat with Stop, the operator's views,
 * device sign-in, screenshots at two sizes, and nothing fetched off-machine.
 */
describe('the dashboard in a browser', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let desktop: BrowserContext;
  let page: Page;
  /** Requests to anywhere but this machine, per browser context. */
  const offsite: string[][] = [];
  const homes: Awaited<ReturnType<typeof temporaryHome>>[] = [];
  let node: ManagedProcess | undefined;
  let providerId: string | undefined;

  const url = (path: string) => `${stack.server.url}${path}`;

  function nodeEnvironment(home: string, name: string): Record<string, string> {
    return {
      HOME: home,
      XDG_CONFIG_HOME: `${home}/.config`,
      INFERNET_CONTROL_PLANE_URL: stack.server.url,
      INFERNET_ENGINE: 'ollama',
      INFERNET_ENGINE_URL: stack.ollama.url,
      INFERNET_NODE_NAME: name,
    };
  }

  async function initialisedNode(name: string) {
    const home = await temporaryHome();
    homes.push(home);
    const env = nodeEnvironment(home.path, name);
    const init = runCli(['init', '--no-advertise'], env);
    expect(await init.exited).toBe(0);
    return env;
  }

  beforeAll(async () => {
    stack = await startDashboardStack();
    browser = await launchChromium();
    desktop = await browser.newContext({ viewport: DESKTOP });
    offsite.push(watchOffsiteRequests(desktop));
    page = await desktop.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await node?.stop();
    await stack?.close();
    await Promise.all(homes.map((home) => home.remove()));
  });

  it('shows a sign-in prompt, not a broken page, to a signed-out visitor', async () => {
    for (const path of ['/dashboard', '/account', '/deploy', '/device?code=ABCD-EFGH']) {
      await page.goto(url(path));
      await expect
        .poll(() => page.getByText('Sign in to see this page').isVisible(), EVENTUALLY)
        .toBe(true);
      const signIn = page.getByRole('link', { name: 'Sign in', exact: true });
      expect(await signIn.getAttribute('href')).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
    }
  });

  it('signs up and lands on an empty dashboard', async () => {
    await page.goto(url('/sign-up'));
    await page.getByLabel('Name', { exact: true }).fill('Ada Operator');
    await page.getByLabel('Email', { exact: true }).fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(url('/dashboard'));
    await page.getByText('No nodes linked to this account yet').waitFor();
    await page.getByText('Your nodes have served no jobs yet').waitFor();
  });

  it('refuses a wrong password with the server’s message', async () => {
    const other = await browser.newContext({ viewport: DESKTOP });
    offsite.push(watchOffsiteRequests(other));
    const signIn = await other.newPage();
    await signIn.goto(url('/sign-in'));
    await signIn.getByLabel('Email', { exact: true }).fill(EMAIL);
    await signIn.getByLabel('Password', { exact: true }).fill('not the password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('alert').getByText('Could not sign in').waitFor();
    expect(new URL(signIn.url()).pathname).toBe('/sign-in');
    await other.close();
  });

  it('creates an API key shown once, which works, and revokes it', async () => {
    await page.goto(url('/account'));
    await page.getByText(EMAIL).waitFor();
    await page.getByLabel('Key name', { exact: true }).fill('browser-test');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('region', { name: /Your new API key "browser-test"/ });
    const key = (await shown.locator('code').textContent())?.trim() ?? '';
    expect(key).toMatch(/^inf_/);
    await shown.getByText('shown only this once').waitFor();

    const withKey = () =>
      fetch(url('/api/me/nodes'), { headers: { authorization: `Bearer ${key}` } });
    expect((await withKey()).status).toBe(200);
    const row = page.getByRole('list', { name: 'Your API keys' }).getByRole('listitem');
    await expect.poll(() => row.count(), EVENTUALLY).toBe(1);
    expect(await row.textContent()).toContain('browser-test');
    expect(await row.textContent()).not.toContain(key);

    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByText(key).count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke key browser-test' }).click();
    await page.getByText('No API keys yet').waitFor();
    expect((await withKey()).status).toBe(401);
  });

  it('mints a deploy token whose script links a real node', async () => {
    await page.goto(url('/deploy'));
    await page.getByLabel('Label', { exact: true }).fill('browser-box');
    await page.getByLabel('Model', { exact: true }).fill(MODEL);
    await page.getByRole('button', { name: 'Mint deploy token' }).click();
    const shown = page.getByRole('region', { name: /user-data/ });
    const script = (await shown.locator('code').textContent()) ?? '';
    const token = /export INFERNET_BEARER='(infd_[\w-]{43})'/.exec(script)?.[1];
    expect(token).toBeDefined();
    const scriptUrl = /'(http:\/\/[^']+)'/.exec(script)?.[1] ?? '';
    expect(scriptUrl).toBe(url(`/api/deploy/cloud-init?model=${encodeURIComponent(MODEL)}`));
    expect(script).toContain('-H "Authorization: Bearer $INFERNET_BEARER"');
    expect(scriptUrl).not.toContain('infd_');

    // The line the provider runs: the token as a header fetches the user-data script.
    const cloudInit = await fetch(scriptUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(cloudInit.status).toBe(200);
    expect(await cloudInit.text()).toMatch(/^#!\/bin\/sh/);

    const env = await initialisedNode(NODE_NAME);
    const login = runCli(['login'], { ...env, INFERNET_BEARER: token! });
    expect(await login.exited).toBe(0);
    node = runCli(['start', '--foreground'], env);
    await node.waitForLine(/node ready/);

    await page.reload();
    const row = page.getByRole('list', { name: 'Your deploy tokens' }).getByRole('listitem');
    await expect.poll(() => row.first().textContent(), EVENTUALLY).toContain('1 node linked');
    expect(await row.first().textContent()).toContain('active');
  });

  it('launches a RunPod pod with a key that is only ever sent as a header', async () => {
    await page.goto(url('/deploy'));
    const keyInput = page.getByLabel('RunPod API key', { exact: true });
    expect(await keyInput.getAttribute('type')).toBe('password');
    await keyInput.fill(stack.runpod.apiKey);
    await page.getByRole('button', { name: 'List GPU types' }).click();
    const gpu = page.getByLabel('GPU type', { exact: true });
    await gpu.selectOption('NVIDIA GeForce RTX 4090');
    await page.locator('#runpod-model').fill(MODEL);
    await page.getByRole('button', { name: 'Launch', exact: true }).click();
    await page.getByRole('status').getByText(/^Pod /).waitFor();

    expect(stack.runpod.pods).toHaveLength(1);
    expect(stack.runpod.pods[0]?.env.INFERNET_MODEL).toBe(MODEL);
    expect(stack.runpod.pods[0]?.env.INFERNET_BEARER).toMatch(/^infd_/);
    const stored = await page.evaluate(() =>
      JSON.stringify({ ...localStorage, ...sessionStorage }),
    );
    expect(stored).not.toContain(stack.runpod.apiKey);
    const podToken = page
      .getByRole('list', { name: 'Your deploy tokens' })
      .getByRole('listitem')
      .filter({ hasText: 'runpod:' });
    await expect.poll(() => podToken.textContent(), EVENTUALLY).toContain('active');

    // Revoking the pod's token (confirmed in the dialog) locks the pod out of the setup script.
    await podToken.getByRole('button', { name: /^Revoke deploy token runpod:/ }).click();
    await expect.poll(() => podToken.textContent(), EVENTUALLY).toContain('revoked');
    const cloudInit = await fetch(url(`/api/deploy/cloud-init?model=${MODEL}`), {
      headers: { authorization: `Bearer ${stack.runpod.pods[0]?.env.INFERNET_BEARER}` },
    });
    expect(cloudInit.status).toBe(401);
  });

  it('streams an answer on /chat and names the node that served it', async () => {
    await page.goto(url('/chat'));
    await expect
      .poll(() => page.getByLabel('Model', { exact: true }).inputValue(), EVENTUALLY)
      .toBe(MODEL);
    await page.evaluate(watchAnswerLengths);
    await page.getByLabel('Message', { exact: true }).fill('Say something');
    await page.getByRole('button', { name: 'Send' }).click();

    const answer = page.getByTestId('chat-answer').last();
    await expect.poll(() => answer.textContent(), EVENTUALLY).toBe(REPLY.join(''));
    // Seen part-way: the answer showed while it streamed, not only once it was complete.
    const lengths = await page.evaluate(() => (window as unknown as Watched).answerLengths);
    const full = REPLY.join('').length;
    expect(lengths.filter((length) => length > 0 && length < full)).not.toEqual([]);
    expect(await page.getByTestId('served-by').last().textContent()).toContain(NODE_NAME);
    expect(JSON.stringify(stack.ollama.requests.at(-1))).toContain('Say something');
  });

  it('stops an answer mid-way', async () => {
    await page.getByLabel('Message', { exact: true }).fill(`Please ${STALL_PHRASE}`);
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.getByTestId('chat-answer').last();
    const firstPieces = STALLED_PIECES.slice(0, STALL_AFTER).join('');
    await expect.poll(() => answer.textContent(), EVENTUALLY).toBe(firstPieces);

    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Stopped.').waitFor();
    expect(await answer.textContent()).toBe(firstPieces);
    // The cancellation reached the node, which hung up on the engine.
    await waitFor(() => stack.ollama.calls.at(-1)?.outcome === 'client-closed', {
      // The node hears of the cancellation on its next exchange with the control plane.
      timeoutMs: 45_000,
      description: 'the node to abort the stalled engine request',
    });
    expect(await page.getByRole('button', { name: 'Send' }).isVisible()).toBe(true);
  });

  it('lists the node on /providers and opens its detail page', async () => {
    await page.goto(url('/providers'));
    const link = page.getByRole('link', { name: NODE_NAME });
    await link.waitFor();
    const href = (await link.getAttribute('href')) ?? '';
    providerId = new URL(href, url('/')).searchParams.get('id') ?? undefined;
    expect(providerId).toBeDefined();
    await link.click();
    await page.waitForURL(/\/providers\/detail\?id=/);
    await page.getByRole('heading', { name: NODE_NAME }).waitFor();
  });

  it('shows my node, its work and the stopped job on /dashboard', async () => {
    await page.goto(url('/dashboard'));
    const card = page.getByRole('list', { name: 'Your nodes' }).getByRole('listitem');
    await expect.poll(() => card.count(), EVENTUALLY).toBe(1);
    await expect.poll(() => card.textContent(), EVENTUALLY).toContain('Online');
    const text = (await card.textContent()) ?? '';
    expect(text).toContain(NODE_NAME);
    expect(text).toContain(MODEL);
    const jobs = page.getByRole('table').getByRole('row');
    await expect.poll(() => jobs.count(), EVENTUALLY).toBe(3);
    expect(await page.getByRole('table').textContent()).toMatch(/cancelled/);
  });

  it('approves a device sign-in on /device with an explicit button', async () => {
    const env = await initialisedNode(DEVICE_NODE_NAME);
    const login = runCli(['login'], env);
    const line = await login.waitForLine(/Open (http\S+) and approve code (\S+)/);
    const [, verificationUrl, userCode] = /Open (http\S+) and approve code (\S+)/.exec(line)!;
    expect(verificationUrl).toBe(url(`/device?code=${userCode}`));

    // The operator follows the link in a browser that is not signed in yet.
    const operator = await browser.newContext({ viewport: DESKTOP });
    offsite.push(watchOffsiteRequests(operator));
    const approvalPage = await operator.newPage();
    await approvalPage.goto(verificationUrl!);
    await approvalPage.getByRole('link', { name: 'Sign in', exact: true }).click();
    await approvalPage.getByLabel('Email', { exact: true }).fill(EMAIL);
    await approvalPage.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await approvalPage.getByRole('button', { name: 'Sign in' }).click();
    await approvalPage.waitForURL(verificationUrl!);

    const request = approvalPage.getByRole('region', { name: 'A node asks to join your account' });
    await request.waitFor();
    expect(await request.textContent()).toContain(DEVICE_NODE_NAME);
    expect(await approvalPage.getByLabel(/Code shown by/).inputValue()).toBe(userCode);
    await approvalPage.screenshot({
      path: join(SCREENSHOTS, 'device-request-1280.png'),
      fullPage: true,
    });
    // Nothing is linked until the operator presses the button: the CLI is still waiting.
    expect(login.child.exitCode).toBeNull();
    await approvalPage.getByRole('button', { name: 'Approve' }).click();
    await approvalPage.getByText('Node approved').waitFor();
    expect(await login.exited).toBe(0);
    expect(login.lines.join('\n')).toMatch(/Linked/);
    await operator.close();

    await page.goto(url('/dashboard'));
    const cards = page.getByRole('list', { name: 'Your nodes' }).getByRole('listitem');
    await expect.poll(() => cards.count(), EVENTUALLY).toBe(2);
  });

  it('fits every page at desktop and phone widths, with screenshots', async () => {
    const pages: [string, string][] = [
      ['home', '/'],
      ['providers', '/providers'],
      ['provider-detail', `/providers/detail?id=${encodeURIComponent(providerId ?? '')}`],
      ['chat', '/chat'],
      ['deploy', '/deploy'],
      ['dashboard', '/dashboard'],
      ['account', '/account'],
      ['docs', '/docs'],
      ['device', '/device'],
      ['sign-in', '/sign-in'],
    ];
    const phone = await browser.newContext({
      viewport: PHONE,
      storageState: await desktop.storageState(),
    });
    offsite.push(watchOffsiteRequests(phone));
    const phonePage = await phone.newPage();
    for (const [name, path] of pages) {
      for (const [view, width] of [
        [page, DESKTOP.width],
        [phonePage, PHONE.width],
      ] as const) {
        await view.goto(url(path), { waitUntil: 'networkidle' });
        await view.getByRole('heading', { level: 1 }).first().waitFor();
        await view.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
        const scrollWidth = await view.evaluate(() => document.documentElement.scrollWidth);
        expect(scrollWidth, `${path} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
      }
    }
    await phone.close();
  });

  it('tells the operator how to restart a node that went silent', async () => {
    await node?.stop();
    await page.goto(url('/dashboard'));
    const card = page
      .getByRole('list', { name: 'Your nodes' })
      .getByRole('listitem')
      .filter({ hasText: NODE_NAME });
    // The page polls: no reload between the node stopping and the message.
    await expect.poll(() => card.textContent(), { timeout: 20_000 }).toContain('Offline');
    const note = card.getByRole('note');
    expect(await note.textContent()).toContain('infernet start');
    expect(await note.textContent()).toContain('systemctl --user restart infernet');
  });

  it('deletes the account once DELETE is typed, and is then signed out', async () => {
    await page.goto(url('/account'));
    const button = page.getByRole('button', { name: 'Delete my account' });
    await button.waitFor();
    expect(await button.isDisabled()).toBe(true);
    await page.getByLabel('Type DELETE to confirm', { exact: true }).fill('DELETE');
    await button.click();
    await page.waitForURL(url('/'));
    await page.goto(url('/dashboard'));
    await page.getByText('Sign in to see this page').waitFor();
  });

  it('fetched nothing from outside this machine', () => {
    expect(offsite.flat()).toEqual([]);
  });
});
