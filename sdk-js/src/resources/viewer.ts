import type { RequestOptions } from '../core/options.js';
import { ViewerDocument, type UserFieldsFragment } from '../generated/graphql.js';
import { APIResource } from './resource.js';

export type User = UserFieldsFragment;

/** Who the client acts as (`profile:read` for API keys). */
export class ViewerResource extends APIResource {
  async me(options?: RequestOptions): Promise<User> {
    return (await this.client.request(ViewerDocument, {}, options)).viewer.user;
  }
}
