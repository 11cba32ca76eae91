/** What the worker and the rest of the generation module may import from the providers. */
export type { GeneratedAudio, GenerateOptions, GenerationRequest, MusicProvider, ProviderProgress } from './provider.js';
export { ProviderCancelledError, ProviderError, ProviderPermanentError, ProviderTransientError } from './provider.errors.js';
export { ProviderErrorCode } from './provider.codes.js';
export { providerFor, type ProviderConfig, type ProviderName } from './provider.factory.js';
export { createLocalProvider, type LocalProviderOptions } from './local.provider.js';
export { createSunoProvider, SUNO_DEFAULTS, type SunoProviderOptions } from './suno.provider.js';
export { readWavInfo, type WavInfo } from './audio/wav.reader.js';
