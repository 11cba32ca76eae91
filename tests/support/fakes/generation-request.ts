import { randomUUID } from 'node:crypto';
import type { GenerateOptions, GenerationRequest, ProviderProgress } from '../../../server/modules/generation/providers/provider.js';

/** A valid request with a fresh job id; tests override what they are about. */
export function generationRequest(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    jobId: randomUUID(),
    prompt: 'a warm song about the sea',
    title: 'Sea',
    style: 'pop',
    instrumental: true,
    durationSeconds: 6,
    model: 'mv-lite',
    seed: 1,
    ...overrides,
  };
}

/** GenerateOptions that record every progress report; `controller` cancels the job. */
export function recordingOptions(): GenerateOptions & { controller: AbortController; reports: ProviderProgress[] } {
  const controller = new AbortController();
  const reports: ProviderProgress[] = [];
  return { controller, reports, signal: controller.signal, onProgress: (progress) => void reports.push(progress) };
}
