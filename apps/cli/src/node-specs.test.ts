import { describe, expect, it } from 'vitest';
import { createStubEngine, type Engine } from '@infernet/engines';
import { buildNodeSpecs, listServedModels } from './node-specs';

const engineWith = (names: string[]) => createStubEngine({ models: names });

describe('listServedModels', () => {
  it('serves everything the engine has when nothing is configured', async () => {
    await expect(listServedModels(engineWith(['a:7b', 'b']), [])).resolves.toEqual({
      served: ['a:7b', 'b'],
      missing: [],
    });
  });

  it('narrows to the configured models, matching a bare name to its :latest tag', async () => {
    await expect(
      listServedModels(engineWith(['qwen2.5:latest', 'llama3:8b']), ['qwen2.5', 'mistral']),
    ).resolves.toEqual({ served: ['qwen2.5:latest'], missing: ['mistral'] });
  });

  it('serves nothing, and says why, when the engine does not answer', async () => {
    const down: Engine = {
      ...createStubEngine(),
      listModels: async () => {
        throw new Error('ECONNREFUSED');
      },
    };
    const result = await listServedModels(down, ['a']);
    expect(result.served).toEqual([]);
    expect(result.engineError).toBeInstanceOf(Error);
  });
});

describe('listServedModels with a fit check', () => {
  const fits = (model: { name: string }) => !model.name.includes('405b');
  const ollamaWith = (names: string[]): Engine => ({ ...engineWith(names), kind: 'ollama' });

  it('leaves out the models that do not fit, and names them', async () => {
    await expect(
      listServedModels(ollamaWith(['llama3.1:8b', 'llama3.1:405b']), [], undefined, { fits }),
    ).resolves.toEqual({ served: ['llama3.1:8b'], missing: [], tooLarge: ['llama3.1:405b'] });
  });

  it('does not serve a configured model that does not fit, nor call it missing', async () => {
    await expect(
      listServedModels(ollamaWith(['llama3.1:8b', 'llama3.1:405b']), ['llama3.1:405b'], undefined, {
        fits,
      }),
    ).resolves.toEqual({ served: [], missing: [], tooLarge: ['llama3.1:405b'] });
  });

  it('serves all an OpenAI-compatible server lists: it has loaded them already', async () => {
    const server: Engine = { ...engineWith(['llama3.1:405b']), kind: 'openai-compatible' };
    await expect(listServedModels(server, [], undefined, { fits })).resolves.toEqual({
      served: ['llama3.1:405b'],
      missing: [],
    });
  });
});

describe('buildNodeSpecs', () => {
  it('keeps only coarse GPU capabilities and valid model names', () => {
    const capabilities = {
      gpus: [
        {
          vendor: 'nvidia' as const,
          vram_tier: '>=48gb' as const,
          model: 'NVIDIA H100 80GB HBM3',
          hostname: 'leaky-box',
        },
      ],
      gpu_count: 1,
    };
    const specs = buildNodeSpecs(capabilities, ['qwen2.5:7b', 'bad name!']);
    expect(specs).toEqual({
      gpus: [{ vendor: 'nvidia', vram_tier: '>=48gb', model: 'NVIDIA H100 80GB HBM3' }],
      gpu_count: 1,
      served_models: ['qwen2.5:7b'],
    });
  });
});
