import { createLocalProvider } from './local.provider.js';
import type { MusicProvider } from './provider.js';
import { createSunoProvider, type SunoProviderOptions } from './suno.provider.js';

export type ProviderName = 'local' | 'suno';

export interface ProviderConfig {
  provider: ProviderName;
  /** PROVIDER_BASE_URL; required for `suno`. */
  baseUrl?: string;
  /** PROVIDER_API_KEY; required for `suno`. */
  apiKey?: string;
  /**
   * Render speed of `local` as a multiple of real time (2 renders a 30 s track in 15 s);
   * `full` or undefined renders as fast as possible.
   */
  localSpeed?: number | 'full';
  /** Timeouts and retries of `suno`, for tests and tuning; defaults in SUNO_DEFAULTS. */
  suno?: Omit<SunoProviderOptions, 'baseUrl' | 'apiKey'>;
}

/** The provider the worker uses, chosen by configuration (PROVIDER). Misconfiguration throws one clear line. */
export function providerFor(config: ProviderConfig): MusicProvider {
  switch (config.provider) {
    case 'local':
      return createLocalProvider({ realtimeFactor: config.localSpeed === 'full' ? undefined : config.localSpeed });
    case 'suno':
      if (!config.baseUrl || !config.apiKey) throw new Error('PROVIDER=suno needs PROVIDER_BASE_URL and PROVIDER_API_KEY');
      return createSunoProvider({ ...config.suno, baseUrl: config.baseUrl, apiKey: config.apiKey });
    default:
      throw new Error(`Unknown PROVIDER "${String(config.provider)}": use local or suno`);
  }
}
