import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MusicVerse, type ClientOptions, type Job } from '../../../sdk-js/src/index.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/** A client signed in as a brand-new user (a session: it may manage API keys). */
export async function newSessionClient(baseUrl: string, options: ClientOptions = {}): Promise<{ user: SignedInUser; client: MusicVerse }> {
  const user = await signInNewUser(baseUrl);
  return { user, client: new MusicVerse({ accessToken: user.token }, { baseUrl, ...options }) };
}

/** A client on an API key the session client creates with `scopes`. */
export async function newApiKeyClient(session: MusicVerse, baseUrl: string, scopes: string[], options: ClientOptions = {}): Promise<{ client: MusicVerse; keyId: string }> {
  const created = await session.apiKeys.create({ name: `sdk test ${scopes.join(' ')}`, scopes });
  return { client: new MusicVerse({ apiKey: created.key }, { baseUrl, ...options }), keyId: created.apiKey.id };
}

/** What the fake server received. */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
  /** Date.now() on arrival. */
  at: number;
}

/** A scripted answer; 'hang' never answers (until the server stops). */
export type FakeAnswer = { status: number; headers?: Record<string, string>; body?: unknown } | 'hang';

export interface FakeGraphQLServer {
  url: string;
  received: ReceivedRequest[];
  stop: () => Promise<void>;
}

/**
 * A local HTTP server answering the n-th request with answers[n] (the last one repeats), to
 * see exactly what the SDK sends and how it reacts to failures no real server produces on cue.
 */
export async function startFakeGraphQL(answers: FakeAnswer[]): Promise<FakeGraphQLServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedRequest['body'], at: Date.now() });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)]!;
      if (answer === 'hang') return;
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A GraphQL answer with data. */
export function ok(data: unknown, headers: Record<string, string> = {}): FakeAnswer {
  return { status: 200, headers, body: { data } };
}

/** A GraphQL answer with one error of `code`. */
export function failed(status: number, code: string, extensions: Record<string, unknown> = {}, headers: Record<string, string> = {}): FakeAnswer {
  return { status, headers, body: { errors: [{ message: `failed with ${code}`, extensions: { code, ...extensions } }] } };
}

/** Generates a short track and follows the job to its end; answers the finished job. */
export async function generateTrack(client: MusicVerse, prompt: string): Promise<Job> {
  const job = await client.generation.generate({ prompt, durationSeconds: 5 });
  let status = job.status;
  for await (const event of client.jobs.watch(job.id)) status = event.status;
  if (status !== 'SUCCEEDED') throw new Error(`job ${job.id} ended ${status}`);
  return client.jobs.get(job.id);
}
