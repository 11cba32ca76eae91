import { ProviderErrorCode } from '../provider.codes.js';
import { ProviderPermanentError } from '../provider.errors.js';

/**
 * The Suno-style HTTP API the `suno` adapter speaks, in one place: paths, headers, statuses and
 * body shapes. The fake server in tests/support/fakes/suno-server.ts speaks the same file.
 *
 *   POST {base}/api/v1/generate                       SunoGenerateRequest -> { taskId }
 *   GET  {base}/api/v1/generate/record-info?taskId=…  -> SunoRecordInfo (poll until SUCCESS|FAILED)
 *   GET  {audioUrl}                                   -> the audio bytes (audio/mpeg, audio/wav …)
 *
 * Every call carries `Authorization: Bearer <apiKey>`; the create call also carries the
 * platform's job id as `Idempotency-Key`, so a retried create never starts a second task.
 * Errors answer 4xx/5xx with an optional JSON body `{ message }` (or `{ error }`, `{ msg }`).
 */
export const SunoPath = {
  Generate: '/api/v1/generate',
  RecordInfo: '/api/v1/generate/record-info',
} as const;

export const SunoHeader = {
  Authorization: 'authorization',
  IdempotencyKey: 'idempotency-key',
  /** Seconds, or an HTTP date, on 429 and 503 answers. */
  RetryAfter: 'retry-after',
} as const;

/** The query parameter of the record-info call. */
export const TASK_ID_PARAM = 'taskId';

export const SunoTaskStatus = {
  Pending: 'PENDING',
  Generating: 'GENERATING',
  Success: 'SUCCESS',
  Failed: 'FAILED',
} as const;
export type SunoTaskStatus = (typeof SunoTaskStatus)[keyof typeof SunoTaskStatus];

export interface SunoGenerateRequest {
  prompt: string;
  style: string | null;
  title: string | null;
  instrumental: boolean;
  model: string;
  /** Seconds. */
  duration: number;
}

export interface SunoGenerateResponse {
  taskId: string;
}

export interface SunoRecordInfo {
  status: SunoTaskStatus;
  /** 0..100 while GENERATING, when the provider knows. */
  progress?: number;
  /** Absolute, or relative to the base URL; present on SUCCESS. */
  audioUrl?: string;
  /** Seconds of the finished audio. */
  duration?: number;
  /** Why the task FAILED, in the provider's words. */
  errorMessage?: string;
  /** Provider credits this task consumed. */
  cost?: number;
}

export interface SunoErrorBody {
  message?: string;
  error?: string;
  msg?: string;
}

const STATUSES: ReadonlySet<string> = new Set(Object.values(SunoTaskStatus));

/** An answer we cannot use is not worth retrying: the same request would get the same answer. */
function malformed(what: string): ProviderPermanentError {
  return new ProviderPermanentError(ProviderErrorCode.BadResponse, 'The music provider returned an invalid response', `Suno answer rejected: ${what}`);
}

/** Parses JSON text; garbage is a permanent BadResponse. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(`${what} is not JSON`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readGenerateResponse(body: unknown): SunoGenerateResponse {
  if (!isRecord(body) || typeof body.taskId !== 'string' || body.taskId.length === 0) throw malformed('create answer has no taskId');
  return { taskId: body.taskId };
}

export function readRecordInfo(body: unknown): SunoRecordInfo {
  if (!isRecord(body)) throw malformed('record-info answer is not an object');
  const { status, progress, audioUrl, duration, errorMessage, cost } = body;
  if (typeof status !== 'string' || !STATUSES.has(status)) throw malformed(`record-info status ${JSON.stringify(status)?.slice(0, 40)} is unknown`);
  const optionalNumber = (value: unknown, name: string): number | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw malformed(`record-info ${name} is not a number`);
    return value;
  };
  const optionalString = (value: unknown, name: string): string | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw malformed(`record-info ${name} is not a string`);
    return value;
  };
  const info: SunoRecordInfo = {
    status: status as SunoTaskStatus,
    progress: optionalNumber(progress, 'progress'),
    audioUrl: optionalString(audioUrl, 'audioUrl'),
    duration: optionalNumber(duration, 'duration'),
    errorMessage: optionalString(errorMessage, 'errorMessage'),
    cost: optionalNumber(cost, 'cost'),
  };
  if (info.status === SunoTaskStatus.Success && !info.audioUrl) throw malformed('SUCCESS without audioUrl');
  return info;
}

/** The provider's own explanation in an error body, if it sent one we can read. */
export function errorMessageOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    if (!isRecord(body)) return undefined;
    const message = [body.message, body.error, body.msg].find((value) => typeof value === 'string' && value.length > 0);
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Audio content types we accept, and the file extension each is stored under. */
export const AUDIO_EXTENSIONS: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/ogg': 'ogg',
  'audio/flac': 'flac',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
};
