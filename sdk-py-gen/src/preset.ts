import type { Types } from '@graphql-codegen/plugin-helpers';
import { runtimeModules } from './emit-package.js';
import { plugin } from './plugin.js';

/** Options of the preset, set in codegen.ts as `presetConfig`. */
export interface PythonPackageConfig {
  /** Package version written to pyproject.toml and `musicverse.__version__`. Default "0.1.0". */
  version?: string;
}

const GENERATED = ['pyproject.toml', 'README.md', 'musicverse/__init__.py', 'musicverse/py.typed', 'musicverse/types.py', 'musicverse/operations.py', 'musicverse/client.py'];

/**
 * A graphql-codegen preset that writes the whole `musicverse` package under the output folder
 * (`'sdk-py-gen/python/': { preset: pythonPackage }`). It carries its plugin itself, so
 * codegen.ts needs no plugin loader and no build step: the CLI loads codegen.ts and this module
 * through its TypeScript loader.
 */
export const pythonPackage: Types.OutputPreset<PythonPackageConfig> = {
  buildGeneratesSection: (options) => {
    const base = options.baseOutputDir.endsWith('/') ? options.baseOutputDir : `${options.baseOutputDir}/`;
    const version = options.presetConfig.version ?? '0.1.0';
    const files = [...GENERATED, ...runtimeModules().map((m) => `musicverse/${m}`)];
    return files.map((file) => ({
      filename: base + file,
      plugins: [{ 'sdk-py-gen': { file, version } }],
      pluginMap: { 'sdk-py-gen': { plugin } },
      schema: options.schema,
      schemaAst: options.schemaAst,
      documents: options.documents,
      config: { ...options.config, file, version },
    }));
  },
};

export { plugin };
