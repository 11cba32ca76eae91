import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../modules/users/user.entity.js';

/** One batch per kind of object per tick; created fresh for each request. */
export interface Loaders {
  userById: DataLoader<string, User | null>;
}

export function createLoaders(em: EntityManager): Loaders {
  return {
    userById: new DataLoader(async (ids: readonly string[]) => {
      const rows = await em.find(User, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
