import type { CodegenConfig } from '@graphql-codegen/cli';
import config from '../codegen.js';

/**
 * Only the Python package's outputs of the root codegen.ts, for working on sdk-py-gen without
 * regenerating the other clients: `npx graphql-codegen --config sdk-py-gen/codegen.python.ts`.
 */
const python: CodegenConfig = {
  ...config,
  generates: Object.fromEntries(Object.entries(config.generates).filter(([output]) => output.startsWith('sdk-py-gen/'))),
};

export default python;
