import { DEMO_ENGINE_LABEL } from '@infernet/protocol';
import { startFakeOllama, startFakeOpenAi } from '@infernet/testkit';
import { describe, expect, it } from 'vitest';
import { createEngine } from './create-engine';

describe('createEngine', () => {
  it('builds each kind of engine from configuration', async () => {
    const ollama = await startFakeOllama();
    const vllm = await startFakeOpenAi();
    try {
      const fromOllama = createEngine({ kind: 'ollama', url: ollama.url });
      const fromVllm = createEngine({ kind: 'openai-compatible', url: vllm.url, label: 'vllm' });
      expect(fromOllama).toMatchObject({ kind: 'ollama', label: 'ollama' });
      expect(fromVllm).toMatchObject({ kind: 'openai-compatible', label: 'vllm' });
      expect(await fromOllama.listModels()).toMatchObject([{ name: 'test-model' }]);
      expect(await fromVllm.listModels()).toMatchObject([{ name: 'test-model' }]);
    } finally {
      await Promise.all([ollama.close(), vllm.close()]);
    }
  });

  it('builds the stub with the demo label', () => {
    expect(createEngine({ kind: 'stub' })).toMatchObject({
      kind: 'stub',
      label: DEMO_ENGINE_LABEL,
    });
  });

  it('asks for the URL of an openai-compatible engine', () => {
    expect(() => createEngine({ kind: 'openai-compatible' })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('URL') }),
    );
  });
});
