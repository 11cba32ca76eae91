import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { JobChanged, JobSnapshot } from './job.events.js';

/** The snapshot properties each field of Job is made from (`id` never changes; `__typename` neither). */
const FIELD_SOURCES: Record<string, ReadonlyArray<keyof JobSnapshot>> = {
  id: [],
  __typename: [],
  status: ['status'],
  progress: ['progress'],
  stage: ['stage'],
  prompt: ['prompt'],
  title: ['title'],
  style: ['style'],
  instrumental: ['instrumental'],
  durationSeconds: ['durationSeconds'],
  model: ['model'],
  cost: ['cost'],
  attempts: ['attempts'],
  error: ['errorCode', 'errorMessage'],
  provider: ['provider'],
  providerCost: ['providerCost'],
  track: ['trackId'],
  createdAt: ['createdAt'],
  startedAt: ['startedAt'],
  finishedAt: ['finishedAt'],
};

/** Jobs whose last sent values one subscription remembers (a reset only risks one repeat). */
const MAX_TRACKED_JOBS = 10_000;

/**
 * For a subscription that returns Job: a filter that lets a change through only when something
 * the subscriber selected differs from what it was last sent for that job. A client that asked
 * for `{ id status }` hears about each status change, not about each progress tick; one that
 * selected `progress` hears every tick. Null (no filtering) when the selection has a field this
 * filter cannot judge, or a change carries no snapshot to compare.
 */
export function selectedChangesFilter(info: GraphQLResolveInfo): ((change: JobChanged) => boolean) | null {
  const sources = new Set<keyof JobSnapshot>();
  for (const node of info.fieldNodes) {
    if (!node.selectionSet || !collectSources(node.selectionSet, info, sources)) return null;
  }
  const watched = [...sources];
  const lastSent = new Map<string, unknown[]>();
  return (change) => {
    if (!change.job) return true;
    const values = watched.map((source) => change.job![source]);
    const previous = lastSent.get(change.jobId);
    if (previous && values.every((value, i) => value === previous[i])) return false;
    if (lastSent.size >= MAX_TRACKED_JOBS) lastSent.clear();
    lastSent.set(change.jobId, values);
    return true;
  };
}

/** Adds the sources of every field selected (through fragments too); false for a field it does not know. */
function collectSources(selectionSet: SelectionSetNode, info: GraphQLResolveInfo, into: Set<keyof JobSnapshot>): boolean {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const fieldSources = FIELD_SOURCES[selection.name.value];
      if (!fieldSources) return false;
      for (const source of fieldSources) into.add(source);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!collectSources(selection.selectionSet, info, into)) return false;
    } else {
      const fragment = info.fragments[selection.name.value];
      if (!fragment || !collectSources(fragment.selectionSet, info, into)) return false;
    }
  }
  return true;
}
