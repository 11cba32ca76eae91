import type { PluginFunction } from '@graphql-codegen/plugin-helpers';
import { emitClient } from './emit-client.js';
import { PY_BANNER, emitInit, emitOperations, emitPackageReadme, emitPyTyped, emitPyproject, emitRuntime } from './emit-package.js';
import { emitTypes, schemaEnums, schemaInputs } from './emit-types.js';
import { buildDocumentModel } from './operations-model.js';

/** Which file of the package one output is; the preset sets it per output. */
export interface PythonFileConfig {
  file: string;
  version: string;
}

/**
 * Emits one file of the `musicverse` package from the schema and the operation documents.
 * Generated modules (types, operations, client) come from the documents; runtime modules are
 * copied from sdk-py-gen/runtime with the banner, so `codegen --check` covers every file.
 */
export const plugin: PluginFunction<PythonFileConfig> = (schema, documents, config) => {
  const { file, version } = config;
  const reserved = () => [...schemaEnums(schema), ...schemaInputs(schema)].map((t) => t.name);
  switch (file) {
    case 'pyproject.toml':
      return emitPyproject(version);
    case 'README.md':
      return emitPackageReadme();
    case 'musicverse/py.typed':
      return emitPyTyped();
    case 'musicverse/__init__.py':
      return emitInit(version);
    case 'musicverse/operations.py':
      return emitOperations(buildDocumentModel(schema, documents, reserved()).operations);
    case 'musicverse/types.py':
      return emitTypes(schema, buildDocumentModel(schema, documents, reserved()).results.classes, PY_BANNER);
    case 'musicverse/client.py':
      return emitClient(buildDocumentModel(schema, documents, reserved()).operations, PY_BANNER);
    default:
      if (file.startsWith('musicverse/')) return emitRuntime(file.slice('musicverse/'.length));
      throw new Error(`sdk-py-gen: no such file ${file}`);
  }
};
