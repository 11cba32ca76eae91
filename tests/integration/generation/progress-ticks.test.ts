import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiServer } from '../../../server/app.js';
import { fromGlobalId } from '../../../server/core/global-id.js';
import { Job, JobStatus } from '../../../server/modules/jobs/job.entity.js';
import { JOB_PROGRESS_CHANNEL, latestTickKey, type JobChanged } from '../../../server/modules/jobs/job.events.js';
import { ProgressPublisher } from '../../../workers/generation/progress.publisher.js';
import { startTestApi } from '../../support/api.js';
import { watchJob } from '../../support/generation-stack.js';
import { dataOf, gql } from '../../support/graphql-client.js';
import { signInNewUser, type SignedInUser } from '../../support/users.js';

/**
 * Progress ticks close together travel as one message (ProgressPublisher), and the API hands
 * each change in it to subscribers, in order. No worker runs here: the test is the worker.
 */
let api: ApiServer;
const clients: Client[] = [];
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await api.stop();
});

function socket(token: string): Client {
  const client = createClient({ url: `${api.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

async function queuedJob(user: SignedInUser): Promise<{ globalId: string; job: Job }> {
  const created = dataOf(
    await gql<{ generateTrack: { id: string } }>(api.url, `mutation($input: GenerateTrackInput!) { generateTrack(input: $input) { id } }`, {
      token: user.token,
      variables: { input: { prompt: 'ticks in a hurry', durationSeconds: 5, idempotencyKey: randomUUID() } },
    }),
  ).generateTrack;
  const job = await api.infra.orm.em.fork().findOneOrFail(Job, { id: fromGlobalId(created.id).id });
  return { globalId: created.id, job };
}

describe('progress ticks sent together', () => {
  it('leave the worker as one message and reach a subscriber one by one, in order, with the last kept for latecomers', async () => {
    const user = await signInNewUser(api.url);
    const { globalId, job } = await queuedJob(user);
    const heard: string[] = [];
    const unsubscribe = await api.infra.broadcast.on(JOB_PROGRESS_CHANNEL, (message) => heard.push(message));
    const publisher = new ProgressPublisher({ orm: api.infra.orm, broadcast: api.infra.broadcast }, { ...job, userId: user.userId });
    const done: JobChanged = { jobId: job.id, userId: user.userId, status: JobStatus.SUCCEEDED, progress: 100, stage: 'done' };

    const events = watchJob(socket(user.token), globalId, (event) => {
      // Once the subscriber has the job's current state, the "worker" reports at full speed.
      if (event.status !== 'QUEUED') return;
      void (async () => {
        await publisher.report(10, 'composing');
        await publisher.report(50, 'rendering');
        await publisher.report(90, 'mixing');
        await publisher.flush(done);
      })();
    });

    expect(await events).toEqual([
      { status: 'QUEUED', progress: 0, stage: 'queued' },
      { status: 'RUNNING', progress: 10, stage: 'composing' },
      { status: 'RUNNING', progress: 50, stage: 'rendering' },
      { status: 'RUNNING', progress: 90, stage: 'mixing' },
      { status: 'SUCCEEDED', progress: 100, stage: 'done' },
    ]);
    expect(heard).toHaveLength(1);
    expect((JSON.parse(heard[0]!) as JobChanged[]).map((change) => change.progress)).toEqual([10, 50, 90, 100]);
    expect(JSON.parse((await api.infra.broadcast.latest(latestTickKey(job.id)))!)).toMatchObject({ status: 'SUCCEEDED', progress: 100 });
    // Kept under this deployment's prefix once (the client adds it to every key), where an operator looks for it.
    const { redis, config } = api.infra;
    expect([await redis.exists(latestTickKey(job.id)), await redis.exists(`${config.redisPrefix}${latestTickKey(job.id)}`)]).toEqual([1, 0]);
    await unsubscribe();
  });

  it('tells a tick on its own within a moment when nothing follows it', async () => {
    const user = await signInNewUser(api.url);
    const { job } = await queuedJob(user);
    const publisher = new ProgressPublisher({ orm: api.infra.orm, broadcast: api.infra.broadcast }, { ...job, userId: user.userId });
    const heard = new Promise<string>((resolve) => {
      void api.infra.broadcast.on(JOB_PROGRESS_CHANNEL, resolve);
    });
    await publisher.report(10, 'composing');
    expect(JSON.parse(await heard)).toMatchObject({ jobId: job.id, status: 'RUNNING', progress: 10, stage: 'composing' });
  });
});
