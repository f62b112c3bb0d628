import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfernetClient } from '@infernetprotocol/sdk';
import { startFakeOllama } from '@infernet/testkit';
import {
  runCli,
  startServerProcess,
  temporaryHome,
  type ManagedProcess,
  type ServerProcess,
} from './processes';

const REPLY = ['Infernet ', 'streams ', 'tokens ', 'from ', 'real ', 'nodes', '.'];

describe('the core marketplace loop across processes', () => {
  let server: ServerProcess;
  let ollama: Awaited<ReturnType<typeof startFakeOllama>>;
  let node: ManagedProcess;
  let home: Awaited<ReturnType<typeof temporaryHome>>;

  beforeAll(async () => {
    ollama = await startFakeOllama({
      models: ['llama3.2:1b'],
      reply: () => REPLY,
      tokenDelayMs: 5,
    });
    server = await startServerProcess();
    home = await temporaryHome();
    const env = {
      HOME: home.path,
      XDG_CONFIG_HOME: `${home.path}/.config`,
      INFERNET_CONTROL_PLANE_URL: server.url,
      INFERNET_ENGINE: 'ollama',
      INFERNET_ENGINE_URL: ollama.url,
      INFERNET_NODE_NAME: 'e2e-node',
    };
    const init = runCli(['init', '--no-advertise'], env);
    expect(await init.exited).toBe(0);
    node = runCli(['start', '--foreground'], env);
    await node.waitForLine(/node ready/);
  });

  afterAll(async () => {
    await node?.stop();
    await server?.stop();
    await ollama?.close();
    await home?.remove();
  });

  it('streams the engine tokens, in order, to the consumer and completes the job', async () => {
    const client = new InfernetClient({ baseUrl: server.url });
    const models = await client.models();
    expect(models.map((model) => model.name)).toEqual(['llama3.2:1b']);

    const job = await client.chat({
      messages: [{ role: 'user', content: 'Say something' }],
      model: 'llama3.2:1b',
    });
    const tokens: string[] = [];
    const names: string[] = [];
    let done: Record<string, unknown> | undefined;
    for await (const event of client.streamJob({
      jobId: job.jobId,
      streamToken: job.streamToken,
    })) {
      names.push(event.event);
      if (event.event === 'token') tokens.push((event.data as { text: string }).text);
      if (event.event === 'done') done = event.data as Record<string, unknown>;
    }
    expect(tokens).toEqual(REPLY);
    expect(names[0]).toBe('job');
    expect(names[1]).toBe('meta');
    expect(names.at(-1)).toBe('done');
    expect(done).toMatchObject({ text: REPLY.join('') });

    // The fake engine saw the consumer's prompt: the node ran it, not a canned answer.
    expect(JSON.stringify(ollama.requests.at(-1))).toContain('Say something');
    const overview = await client.overview();
    expect(overview.jobs.completed).toBe(1);
    expect(overview.nodes_online).toBe(1);
  });
});
