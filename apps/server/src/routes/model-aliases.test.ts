import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@infernet/auth';
import { createTestApp, registerNode, type TestApp } from '../testing';

let server: TestApp;
const messages = [{ role: 'user', content: 'hi' }];

beforeEach(async () => {
  server = await createTestApp({
    modelAliases: { 'gpt-4o-mini': 'llama3.2:1b', 'gpt-4o': 'not-served' },
  });
  await registerNode(server.app, generateKeyPair(), { nodeId: 'n', models: ['llama3.2:1b'] });
});
afterEach(async () => {
  await server.close();
});

const post = (path: string, body: object) =>
  server.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('model aliases', () => {
  it('queues a request for an alias on the served model it stands for', async () => {
    const chat = await post('/api/chat', { model: 'gpt-4o-mini', messages });
    expect(chat.status).toBe(201);
    expect(await chat.json()).toMatchObject({ model: 'llama3.2:1b' });
    const job = (await server.db.jobs.counts()).queued;
    expect(job).toBe(1);
  });

  it('answers an alias whose target nobody serves with the served models', async () => {
    const chat = await post('/api/chat', { model: 'gpt-4o', messages });
    expect(chat.status).toBe(503);
    expect(await chat.json()).toMatchObject({
      error: { code: 'NO_CAPACITY', details: { served_models: ['llama3.2:1b'] } },
    });
    const openAi = await post('/v1/chat/completions', { model: 'gpt-4o', messages });
    expect(openAi.status).toBe(404);
    expect(((await openAi.json()) as { error: { message: string } }).error.message).toContain(
      'llama3.2:1b',
    );
  });
});
