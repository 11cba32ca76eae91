import { throwIfCancelled } from './abort.signals.js';
import { ProgressReporter } from './progress.reporter.js';
import { ProviderErrorCode } from './provider.codes.js';
import { ProviderPermanentError } from './provider.errors.js';
import type { GeneratedAudio, GenerateOptions, GenerationRequest, MusicProvider } from './provider.js';
import { SunoHttp, type SunoHttpSettings } from './suno/suno.http.js';
import {
  AUDIO_EXTENSIONS, SunoHeader, SunoPath, SunoTaskStatus, TASK_ID_PARAM, parseJson, readGenerateResponse, readRecordInfo,
  type SunoGenerateRequest, type SunoRecordInfo,
} from './suno/suno.wire.js';

export interface SunoProviderOptions {
  /** Where the API lives, e.g. `https://api.example.com` (PROVIDER_BASE_URL). Required. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` (PROVIDER_API_KEY); never logged or shown. Required. */
  apiKey: string;
  /** Wait between two record-info polls. Default 3000 ms. */
  pollIntervalMs?: number;
  /** Longest wait for one HTTP answer, body included, before it counts as a transient failure. Default 20000 ms. */
  requestTimeoutMs?: number;
  /** Longest a whole generation may take, retries and polling included. Default 600000 ms (10 min). */
  totalTimeoutMs?: number;
  /** Retries of one step after a transient failure (so up to maxRetries + 1 attempts). Default 4. */
  maxRetries?: number;
  /** First backoff; it doubles per retry, minus up to 25 % jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Backoff ceiling. Retry-After from the provider takes precedence. Default 8000 ms. */
  retryMaxMs?: number;
  /** Where retries are reported; lines carry the step and attempt, never headers or the key. */
  logger?: SunoHttpSettings['logger'];
}

export const SUNO_DEFAULTS = {
  pollIntervalMs: 3000,
  requestTimeoutMs: 20_000,
  totalTimeoutMs: 600_000,
  maxRetries: 4,
  retryBaseMs: 500,
  retryMaxMs: 8000,
} as const;

/**
 * The production adapter for a Suno-style API (wire format in suno/suno.wire.ts): create a task,
 * poll it until it succeeds or fails, download the audio. Transient trouble is retried inside a
 * step; what is left is thrown as ProviderTransientError for the worker to retry the job later,
 * and anything the provider refused or garbled as ProviderPermanentError.
 */
export function createSunoProvider(options: SunoProviderOptions): MusicProvider {
  const base = parseBaseUrl(options.baseUrl);
  if (!options.apiKey) throw new Error('The suno provider needs an API key (PROVIDER_API_KEY)');
  const settings: SunoHttpSettings = {
    apiKey: options.apiKey,
    requestTimeoutMs: options.requestTimeoutMs ?? SUNO_DEFAULTS.requestTimeoutMs,
    totalTimeoutMs: options.totalTimeoutMs ?? SUNO_DEFAULTS.totalTimeoutMs,
    maxRetries: options.maxRetries ?? SUNO_DEFAULTS.maxRetries,
    retryBaseMs: options.retryBaseMs ?? SUNO_DEFAULTS.retryBaseMs,
    retryMaxMs: options.retryMaxMs ?? SUNO_DEFAULTS.retryMaxMs,
    logger: options.logger,
  };
  const pollIntervalMs = options.pollIntervalMs ?? SUNO_DEFAULTS.pollIntervalMs;
  const auth = { [SunoHeader.Authorization]: `Bearer ${options.apiKey}` };
  const endpoint = (path: string): URL => new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);

  async function generate(request: GenerationRequest, { signal, onProgress }: GenerateOptions): Promise<GeneratedAudio> {
    throwIfCancelled(signal);
    const http = new SunoHttp(settings, signal, AbortSignal.timeout(settings.totalTimeoutMs));
    const progress = new ProgressReporter(onProgress);

    const wireRequest: SunoGenerateRequest = {
      prompt: request.prompt,
      style: request.style,
      title: request.title,
      instrumental: request.instrumental,
      model: request.model,
      duration: request.durationSeconds,
    };
    const created = await http.send({
      name: 'create',
      method: 'POST',
      url: endpoint(SunoPath.Generate),
      headers: { ...auth, 'content-type': 'application/json', [SunoHeader.IdempotencyKey]: request.jobId },
      body: JSON.stringify(wireRequest),
    });
    const { taskId } = readGenerateResponse(parseJson(created.body.toString('utf8'), 'create answer'));
    await progress.report(10, 'queued');

    const pollUrl = endpoint(SunoPath.RecordInfo);
    pollUrl.searchParams.set(TASK_ID_PARAM, taskId);
    let record: SunoRecordInfo;
    for (;;) {
      const answer = await http.send({ name: 'poll', method: 'GET', url: pollUrl, headers: auth });
      record = readRecordInfo(parseJson(answer.body.toString('utf8'), 'record-info answer'));
      if (record.status === SunoTaskStatus.Success) break;
      if (record.status === SunoTaskStatus.Failed) {
        const reason = http.scrub(record.errorMessage ?? 'no reason given');
        throw new ProviderPermanentError(ProviderErrorCode.GenerationFailed, `The music provider could not generate this track: ${reason}`, `task ${taskId} FAILED: ${reason}`);
      }
      if (record.status === SunoTaskStatus.Generating) {
        // Without a figure from the provider, "generating" sits at the halfway milestone.
        const share = record.progress === undefined ? 50 : 15 + 0.7 * Math.max(0, Math.min(100, record.progress));
        await progress.report(share, 'generating');
      }
      await http.pause(pollIntervalMs);
    }

    await progress.report(90, 'downloading');
    const audioUrl = new URL(record.audioUrl!, base);
    // The key goes only to the API's own origin, never to a CDN the provider points us to.
    const download = await http.send({ name: 'download', method: 'GET', url: audioUrl, headers: audioUrl.origin === base.origin ? auth : {} });
    const contentType = download.contentType.split(';')[0]!.trim().toLowerCase();
    const extension = AUDIO_EXTENSIONS[contentType];
    if (!extension || download.body.length === 0) {
      throw new ProviderPermanentError(
        ProviderErrorCode.BadResponse,
        'The music provider returned an invalid response',
        `download of task ${taskId} gave ${download.body.length} bytes of ${contentType || 'no content type'}`,
      );
    }
    throwIfCancelled(signal);

    return {
      audio: download.body,
      contentType,
      extension,
      durationSeconds: record.duration ?? request.durationSeconds,
      providerCost: record.cost ?? 0,
      metadata: { taskId, model: request.model },
    };
  }

  return { name: 'suno', generate };
}


/** A bad PROVIDER_BASE_URL fails at start-up with one line, not at the first job. */
function parseBaseUrl(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new Error(`PROVIDER_BASE_URL must be an http(s) URL, got "${value}"`);
  return url;
}
