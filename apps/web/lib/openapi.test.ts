import { describe, expect, it } from 'vitest';
import { readApiReference, responseFields, schemaFields } from './openapi';

const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Infernet control plane', version: '0.1.0' },
  paths: {
    '/api/chat': {
      post: {
        summary: 'Queue a chat job',
        tags: ['chat'],
        security: [{}, { 'api-key': [] }, { session: [] }],
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  messages: { type: 'array', items: { type: 'object' } },
                  model: { type: 'string' },
                  fallback: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
                },
                required: ['messages'],
              },
            },
          },
        },
        responses: {
          '201': {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { jobId: { type: 'string' }, status: { enum: ['queued'] } },
                  required: ['jobId', 'status'],
                },
              },
            },
          },
          default: { description: 'Error' },
        },
      },
    },
    '/api/providers': {
      get: {
        summary: 'Nodes',
        tags: ['public'],
        security: [],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { id: { type: 'string' } },
                        required: ['id'],
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/api/v1/node/register': {
      post: { summary: 'Register', tags: ['node'], security: [{ 'node-signature': [] }] },
    },
  },
};

describe('readApiReference', () => {
  it('groups operations by tag with their method, auth and fields', () => {
    const reference = readApiReference(DOCUMENT);
    expect(reference.title).toBe('Infernet control plane');
    expect(reference.groups.map((group) => group.tag)).toEqual(['chat', 'public', 'node']);
    const chat = reference.groups[0]!.operations[0]!;
    expect(chat).toMatchObject({
      method: 'POST',
      path: '/api/chat',
      auth: 'public; optionally API key or signed-in session',
      successStatus: '201',
      responseType: 'application/json',
    });
    expect(chat.requestFields).toEqual([
      { name: 'messages', type: 'object[]', required: true },
      { name: 'model', type: 'string', required: false },
      { name: 'fallback', type: 'boolean | null', required: false },
    ]);
    expect(chat.responseFields).toContainEqual({
      name: 'status',
      type: '"queued"',
      required: true,
    });
    expect(reference.groups[2]!.operations[0]!.auth).toBe('node signature');
  });

  it('opens the { data } envelope of a response', () => {
    const providers = readApiReference(DOCUMENT).groups[1]!.operations[0]!;
    expect(providers.auth).toBe('public');
    expect(providers.responseFields).toEqual([
      { name: 'data[].id', type: 'string', required: true },
    ]);
  });

  it('refuses a document without paths', () => {
    expect(() => readApiReference({ openapi: '3.1.0' })).toThrow(/not an OpenAPI document/);
  });

  it('gives no fields for schemas that are not objects', () => {
    expect(schemaFields({ type: 'string' })).toBeUndefined();
    expect(responseFields(undefined)).toBeUndefined();
  });
});
