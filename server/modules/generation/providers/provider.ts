/**
 * The contract every music provider adapter fulfils: `local` (synthesises audio offline) and
 * `suno` (a Suno-style HTTP API). The generation worker only ever talks to this interface.
 */
/** The song a user asked for, as a job keeps it and a provider receives it. */
export interface SongRequest {
  /** 1..1000 characters. */
  prompt: string;
  title: string | null;
  /** Free text such as "lo-fi hip hop" or "epic orchestral". */
  style: string | null;
  instrumental: boolean;
  /** 5..240. */
  durationSeconds: number;
  /** A catalog model id, e.g. `mv-lite`. */
  model: string;
}

export interface GenerationRequest extends SongRequest {
  /** The platform's job id; providers may use it as their own idempotency key. */
  jobId: string;
  /** Same prompt, style and seed give the same audio (local provider). */
  seed: number;
}

export interface ProviderProgress {
  /** 0..100. */
  progress: number;
  /** What the provider is doing, e.g. `composing`, `rendering`, `mixing`. */
  stage: string;
}

export interface GeneratedAudio {
  audio: Buffer;
  /** e.g. `audio/wav`, `audio/mpeg`. */
  contentType: string;
  /** File extension without a dot, matching contentType: `wav`, `mp3`. */
  extension: string;
  durationSeconds: number;
  /** What this generation cost upstream, in the provider's credits (0 for local). */
  providerCost: number;
  /** Musical facts the provider chose, for the track page (tempo, key, instruments...). */
  metadata: Record<string, unknown>;
  /**
   * Lets the provider reuse `audio`'s memory for a later generation. Call it once nothing will
   * read `audio` again (it is stored); never before. Optional on both sides: a provider may leave
   * it out, and audio never released is simply collected.
   */
  release?: () => void;
}

export interface GenerateOptions {
  /** Aborted when the job is cancelled or the worker shuts down; the provider must stop promptly. */
  signal: AbortSignal;
  /** Called as work advances; at least once at 10, 50 and 90. */
  onProgress: (progress: ProviderProgress) => void | Promise<void>;
}

export interface MusicProvider {
  /** `local` or `suno`; recorded on the job. */
  readonly name: string;
  generate(request: GenerationRequest, options: GenerateOptions): Promise<GeneratedAudio>;
}
