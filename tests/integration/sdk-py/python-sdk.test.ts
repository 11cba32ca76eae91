import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook } from '../../../server/modules/webhooks/webhook-signature.js';
import { startGenerationStack, type GenerationStack } from '../../support/generation-stack.js';
import { createApiKey } from '../../support/sessions.js';
import { signInNewUser } from '../../support/users.js';

/**
 * The generated Python package (sdk-py-gen/python) against a real API and worker: pytest runs
 * the scenarios in this folder with Debian's interpreter, which has httpx and websockets.
 */
const PYTHON = '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SUITE = fileURLToPath(new URL('./', import.meta.url));

/** Runs Python without blocking the event loop: the API under test lives in this process. */
function runPython(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, {
      cwd: ROOT,
      // No __pycache__ or .pytest_cache lands in the tree.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: `${ROOT}sdk-py-gen/python`, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

let stack: GenerationStack;
beforeAll(async () => {
  stack = await startGenerationStack('pysdk', { PROVIDER_LOCAL_SPEED: '50' });
});
afterAll(async () => {
  await stack?.stop();
});

describe('the Python package', () => {
  it('passes its pytest suite against a live API: generation, progress, pages, errors, webhooks, retries', async () => {
    const user = await signInNewUser(stack.api.url, 'Pythonista');
    const { key } = await createApiKey(stack.api.url, user.token, ['tracks:read', 'generate:write', 'jobs:read', 'credits:read', 'credits:hold'], 'python sdk');
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'generation.completed', timestamp: new Date().toISOString(), data: { jobId: randomUUID() } });
    const messageId = `msg_${randomUUID()}`;
    const { code, output } = await runPython(['-m', 'pytest', '-q', '-p', 'no:cacheprovider', SUITE], {
      MUSICVERSE_URL: stack.api.url,
      MUSICVERSE_API_KEY: key,
      MUSICVERSE_WEBHOOK_SECRET: secret,
      MUSICVERSE_WEBHOOK_BODY: body,
      MUSICVERSE_WEBHOOK_HEADERS: JSON.stringify(signWebhook(secret, messageId, body)),
      MUSICVERSE_WEBHOOK_STALE_HEADERS: JSON.stringify(signWebhook(secret, messageId, body, new Date(Date.now() - 10 * 60_000))),
    });
    if (code !== 0) console.log(output);
    expect(code, output).toBe(0);
    expect(output).toMatch(/\d+ passed/);
    expect(output).not.toMatch(/skipped|xfail/);
  }, 180_000);

  it('type-checks with mypy --strict', async () => {
    const { code, output } = await runPython(['-m', 'mypy', '--strict', '--cache-dir=/dev/null', 'sdk-py-gen/python/musicverse']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Success: no issues found/);
  }, 120_000);
});
