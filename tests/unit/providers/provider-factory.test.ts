import { describe, expect, it } from 'vitest';
import { providerFor } from '../../../server/modules/generation/providers/provider.factory.js';

describe('providerFor', () => {
  it('builds the local provider by default configuration', () => {
    expect(providerFor({ provider: 'local' }).name).toBe('local');
    expect(providerFor({ provider: 'local', localSpeed: 4 }).name).toBe('local');
  });

  it('builds the suno adapter from a base URL and key', () => {
    expect(providerFor({ provider: 'suno', baseUrl: 'http://127.0.0.1:9', apiKey: 'k' }).name).toBe('suno');
  });

  it('refuses suno without its settings in one line that names them and not the key', () => {
    expect(() => providerFor({ provider: 'suno', apiKey: 'sk-secret' })).toThrow('PROVIDER=suno needs PROVIDER_BASE_URL and PROVIDER_API_KEY');
    expect(() => providerFor({ provider: 'suno', baseUrl: 'not a url', apiKey: 'sk-secret' })).toThrow(/PROVIDER_BASE_URL/);
  });
});
