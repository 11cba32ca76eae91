/** A minimal GraphQL-over-HTTP client for tests: what any client would send, nothing more. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

export async function gql<T = Record<string, unknown>>(baseUrl: string, query: string, options: RequestOptions = {}): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables: options.variables }) });
  const body = (await response.json()) as { data?: T | null; errors?: GraphQLResponse['errors'] };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

export function codesOf(response: GraphQLResponse<unknown>): string[] {
  return (response.errors ?? []).map((e) => String(e.extensions?.code));
}
