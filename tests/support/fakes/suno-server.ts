import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeWav } from '../../../server/modules/generation/providers/audio/wav.encoder.js';
import { SunoHeader, SunoPath, SunoTaskStatus, TASK_ID_PARAM, type SunoGenerateRequest, type SunoRecordInfo } from '../../../server/modules/generation/providers/suno/suno.wire.js';

/**
 * A Suno-style API on 127.0.0.1 for tests, speaking the wire format of suno.wire.ts: tasks are
 * created, advance one step per poll, and serve audio when done. Tests script faults per route
 * and read back every request it received.
 */

export type FakeSunoRoute = 'create' | 'poll' | 'download';

/** One scripted answer, used once, in order, before the fake's normal behaviour resumes. */
export type ScriptedAnswer =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  /** The request is handled (a create still creates its task) but no answer is ever sent: a lost response. */
  | { hang: true };

export interface RecordedRequest {
  route: FakeSunoRoute | 'unknown';
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface FakeTask {
  id: string;
  request: SunoGenerateRequest;
  polls: number;
}

export interface FakeSunoOptions {
  /** The key the fake accepts as `Authorization: Bearer <apiKey>`; anything else gets 401. */
  apiKey: string;
  /** Polls answered PENDING/GENERATING before a task ends. Default 2. */
  pollsBeforeSuccess?: number;
  /** When set, tasks end FAILED with this errorMessage instead of SUCCESS. */
  failWith?: string;
  /** Provider credits reported per task. Default 12. */
  cost?: number;
  /** Origin the audioUrl points to, like a CDN; default the fake itself. */
  audioOrigin?: string;
}

export interface FakeSunoServer {
  url: string;
  requests: RecordedRequest[];
  tasks: Map<string, FakeTask>;
  /** Current behaviour; tests may change it between calls. */
  options: Required<Omit<FakeSunoOptions, 'failWith' | 'audioOrigin'>> & Pick<FakeSunoOptions, 'failWith' | 'audioOrigin'>;
  /** Queues answers for `route`, consumed one per request. */
  script(route: FakeSunoRoute, ...answers: ScriptedAnswer[]): void;
  requestsTo(route: FakeSunoRoute): RecordedRequest[];
  close(): Promise<void>;
}

const AUDIO_PATH = '/files/';
/** A small but real WAV: mono 8 kHz, a quiet 440 Hz tone, as long as the task asked for. */
const AUDIO_RATE = 8000;

export async function startFakeSunoServer(options: FakeSunoOptions): Promise<FakeSunoServer> {
  const requests: RecordedRequest[] = [];
  const tasks = new Map<string, FakeTask>();
  const byIdempotencyKey = new Map<string, string>();
  const scripts: Record<FakeSunoRoute, ScriptedAnswer[]> = { create: [], poll: [], download: [] };
  const state: FakeSunoServer['options'] = { pollsBeforeSuccess: 2, cost: 12, ...options };
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  function routeOf(method: string, path: string): FakeSunoRoute | 'unknown' {
    if (method === 'POST' && path === SunoPath.Generate) return 'create';
    if (method === 'GET' && path === SunoPath.RecordInfo) return 'poll';
    if (method === 'GET' && path.startsWith(AUDIO_PATH)) return 'download';
    return 'unknown';
  }

  function create(req: RecordedRequest): { status: number; body: unknown } {
    let request: SunoGenerateRequest;
    try {
      request = JSON.parse(req.body) as SunoGenerateRequest;
    } catch {
      return { status: 400, body: { message: 'Body is not JSON' } };
    }
    if (typeof request.prompt !== 'string' || typeof request.duration !== 'number') return { status: 400, body: { message: 'prompt and duration are required' } };
    const key = req.headers[SunoHeader.IdempotencyKey];
    const existing = typeof key === 'string' ? byIdempotencyKey.get(key) : undefined;
    if (existing) return { status: 200, body: { taskId: existing } };
    const id = randomUUID();
    tasks.set(id, { id, request, polls: 0 });
    if (typeof key === 'string') byIdempotencyKey.set(key, id);
    return { status: 200, body: { taskId: id } };
  }

  function poll(req: RecordedRequest): { status: number; body: unknown } {
    const task = tasks.get(req.query.get(TASK_ID_PARAM) ?? '');
    if (!task) return { status: 404, body: { message: 'No such task' } };
    task.polls += 1;
    let record: SunoRecordInfo;
    if (task.polls > state.pollsBeforeSuccess) {
      record = state.failWith
        ? { status: SunoTaskStatus.Failed, errorMessage: state.failWith }
        : { status: SunoTaskStatus.Success, audioUrl: `${state.audioOrigin ?? url}${AUDIO_PATH}${task.id}.wav`, duration: task.request.duration, cost: state.cost };
    } else if (task.polls === 1) {
      record = { status: SunoTaskStatus.Pending };
    } else {
      record = { status: SunoTaskStatus.Generating, progress: Math.round((100 * task.polls) / (state.pollsBeforeSuccess + 1)) };
    }
    return { status: 200, body: record };
  }

  function download(req: RecordedRequest, res: ServerResponse): void {
    const task = tasks.get(req.path.slice(AUDIO_PATH.length).replace(/\.wav$/, ''));
    if (!task) return json(res, 404, { message: 'No such file' });
    const samples = new Float32Array(Math.round(task.request.duration * AUDIO_RATE));
    for (let i = 0; i < samples.length; i++) samples[i] = 0.2 * Math.sin((2 * Math.PI * 440 * i) / AUDIO_RATE);
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(encodeWav([samples], AUDIO_RATE));
  }

  async function handle(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const parsed = new URL(incoming.url ?? '/', 'http://fake');
    const method = incoming.method ?? 'GET';
    const req: RecordedRequest = {
      route: routeOf(method, parsed.pathname),
      method,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    };
    requests.push(req);
    if (req.route === 'unknown') return json(res, 404, { message: 'Not found' });
    const authorization = incoming.headers[SunoHeader.Authorization] ?? '';
    // A real provider that echoes the rejected credential: the adapter must not repeat it.
    if (authorization !== `Bearer ${state.apiKey}`) return json(res, 401, { message: `Invalid API key: ${authorization.replace(/^Bearer /, '')}` });

    const scripted = scripts[req.route].shift();
    if (scripted && !('hang' in scripted)) {
      const body = scripted.body ?? { message: `Scripted ${scripted.status}` };
      return json(res, scripted.status, body, scripted.headers);
    }
    const hang = scripted !== undefined;
    if (req.route === 'download') return hang ? undefined : download(req, res);
    const answer = req.route === 'create' ? create(req) : poll(req);
    if (!hang) json(res, answer.status, answer.body);
  }

  const server = createServer((incoming, res) => {
    handle(incoming, res).catch((error: unknown) => json(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    tasks,
    options: state,
    script: (route, ...answers) => scripts[route].push(...answers),
    requestsTo: (route) => requests.filter((request) => request.route === route),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections(); // hung requests would otherwise keep the server open
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
