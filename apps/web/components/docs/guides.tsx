'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { CodeBlock } from '@/components/ui';
import { useOrigin } from '@/lib/use-origin';

function Guide({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-20 space-y-3">
      <h2 id={`${id}-title`} className="text-xl font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Step({ children }: { children: ReactNode }) {
  return <li className="space-y-2 pl-1 marker:font-semibold marker:text-muted">{children}</li>;
}

/** The three short guides; commands name this server's own origin. */
export function Guides() {
  const origin = useOrigin();
  return (
    <div className="space-y-12">
      <Guide id="run-a-provider" title="Run a provider">
        <p className="text-muted">
          Any Linux or macOS machine (Windows through WSL2) with a GPU, or just a CPU for small
          models. The node only makes outbound connections: no port forwarding, no public address.
        </p>
        <ol className="list-decimal space-y-4 pl-5">
          <Step>
            <p>Install the CLI (no sudo; it lives in your home directory):</p>
            <CodeBlock label="Install command" code={`curl -fsSL ${origin}/install.sh | sh`} />
          </Step>
          <Step>
            <p>
              Set the node up: it creates its key, detects the GPU, installs an engine and pulls a
              model that fits.
            </p>
            <CodeBlock label="Setup command" code={`infernet setup --control-plane ${origin}`} />
          </Step>
          <Step>
            <p>Start serving. The node appears under Providers within seconds.</p>
            <CodeBlock label="Start command" code="infernet start" />
          </Step>
        </ol>
        <p className="text-sm text-muted">
          To link the node to your account (to see its earnings), run <code>infernet login</code>{' '}
          and approve the code it shows. On a rented GPU, the{' '}
          <Link href="/deploy" className="text-accent underline">
            Deploy
          </Link>{' '}
          page gives a one-line start command.
        </p>
      </Guide>

      <Guide id="call-the-api" title="Call the API">
        <p className="text-muted">
          The API speaks OpenAI’s format, so the official <code>openai</code> client works
          unchanged. Create an API key on your{' '}
          <Link href="/account" className="text-accent underline">
            account
          </Link>{' '}
          page and point the client at <code>{origin}/v1</code>.
        </p>
        <CodeBlock
          label="JavaScript example"
          code={`import OpenAI from 'openai';

const client = new OpenAI({ baseURL: '${origin}/v1', apiKey: process.env.INFERNET_API_KEY });

const stream = await client.chat.completions.create({
  model: 'qwen2.5:7b', // any model listed by GET /v1/models
  messages: [{ role: 'user', content: 'Hello!' }],
  stream: true,
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');`}
        />
        <CodeBlock
          label="Python example"
          code={`import os
from openai import OpenAI

client = OpenAI(base_url="${origin}/v1", api_key=os.environ["INFERNET_API_KEY"])
reply = client.chat.completions.create(
    model="qwen2.5:7b",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(reply.choices[0].message.content)`}
        />
        <p className="text-sm text-muted">
          <code>GET {origin}/v1/models</code> lists what live nodes serve right now. When no node
          can take a request you get an honest <code>503</code> with the reason, never a silent
          wait; a fallback, when the server has one, is named in the{' '}
          <code>X-Infernet-Fallback</code> header.
        </p>
      </Guide>

      <Guide id="self-host" title="Self-host the control plane">
        <p className="text-muted">
          The control plane is one Node.js process (Node 20 or later) serving the API and this
          dashboard. By default it keeps its data in an embedded database under{' '}
          <code>~/.local/share/infernet</code>.
        </p>
        <CodeBlock
          label="Self-host commands"
          code={`git clone https://github.com/profullstack/infernet-protocol.git
cd infernet-protocol
npm install && npm start   # builds the dashboard, serves http://localhost:3000`}
        />
        <p>For production, use PostgreSQL and say where the server is reachable:</p>
        <CodeBlock
          label="Production settings"
          code={`DATABASE_URL=postgres://user:password@db-host:5432/infernet \\
INFERNET_PUBLIC_URL=https://infernet.example \\
npm start`}
        />
        <p className="text-sm text-muted">
          Optional: <code>NVIDIA_NIM_API_KEY</code> lets NVIDIA NIM answer chats when no node can
          (every such answer is labelled as the fallback); <code>REDIS_URL</code> connects several
          server copies; <code>PORT</code> picks the port.
        </p>
      </Guide>
    </div>
  );
}
