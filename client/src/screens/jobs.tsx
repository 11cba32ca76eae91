import { useMutation, useQuery, useSubscription } from 'urql';
import { LoadMore } from '../components/load-more';
import { ProgressBar } from '../components/progress-bar';
import { Empty, ErrorNote, Loading } from '../components/states';
import { CancelJobDocument, JobProgressDocument, JobsDocument, type JobFieldsFragment } from '../generated/graphql';
import { capitalise, credits, dateTime } from '../format';
import { hrefOf } from '../router';
import { haptic } from '../telegram/web-app';

const PAGE = 20;

/** Your generations, newest first, with live progress while they run. */
export function JobsScreen() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: JobsDocument, variables: { first: PAGE }, requestPolicy: 'cache-and-network' });
  const jobs = data?.viewer.jobs;
  return (
    <main className="screen">
      <h1>Jobs</h1>
      {!jobs && fetching && <Loading what="your jobs" />}
      {error && !jobs && <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {jobs && jobs.edges.length === 0 && (
        <Empty>
          <p>No generations yet.</p>
          <a className="button" href={hrefOf({ screen: 'generate' })}>
            Generate a track
          </a>
        </Empty>
      )}
      {jobs && jobs.edges.length > 0 && (
        <>
          <JobList jobs={jobs.edges.map(({ node }) => node)} />
          <MoreJobs after={jobs.pageInfo.endCursor} hasMore={jobs.pageInfo.hasNextPage} />
        </>
      )}
    </main>
  );
}

function MoreJobs({ after, hasMore }: { after: string | null | undefined; hasMore: boolean }) {
  return <LoadMore after={after} hasMore={hasMore} label="Load older jobs" page={(next) => <NextJobs after={next} />} />;
}

function NextJobs({ after }: { after: string }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: JobsDocument, variables: { first: PAGE, after }, requestPolicy: 'cache-and-network' });
  const jobs = data?.viewer.jobs;
  if (!jobs) return fetching ? <Loading what="older jobs" /> : <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  return (
    <>
      <JobList jobs={jobs.edges.map(({ node }) => node)} />
      <MoreJobs after={jobs.pageInfo.endCursor} hasMore={jobs.pageInfo.hasNextPage} />
    </>
  );
}

function JobList({ jobs }: { jobs: readonly JobFieldsFragment[] }) {
  return (
    <ul className="list">
      {jobs.map((job) => (
        <JobItem key={job.id} job={job} />
      ))}
    </ul>
  );
}

function isActive(job: JobFieldsFragment): boolean {
  return job.status === 'QUEUED' || job.status === 'RUNNING';
}

function JobItem({ job }: { job: JobFieldsFragment }) {
  const name = job.title ?? job.prompt;
  return (
    <li className="card">
      <p className="title">{name}</p>
      <p className="muted small">
        {capitalise(job.status)} · {job.stage} · {credits(job.cost)} · {dateTime(job.createdAt)}
      </p>
      {isActive(job) ? <LiveProgress job={job} label={`Progress of ${name}`} /> : <ProgressBar value={job.status === 'SUCCEEDED' ? 100 : job.progress} label={`Progress of ${name}`} />}
      {job.error && (
        <p className="error" role="note">
          {job.error.message}
        </p>
      )}
      {job.track && (
        <a href={hrefOf({ screen: 'track', id: job.track.id })}>
          Open “{job.track.title}”
        </a>
      )}
      {isActive(job) && <CancelJob id={job.id} name={name} />}
    </li>
  );
}

/**
 * Follows one running job over the socket. Each event carries the job as it stands, which the
 * normalised cache merges, so the list above updates too.
 */
function LiveProgress({ job, label }: { job: JobFieldsFragment; label: string }) {
  const [{ data }] = useSubscription({ query: JobProgressDocument, variables: { jobId: job.id } });
  const latest = data?.jobProgress.progress ?? 0;
  return <ProgressBar value={Math.max(job.progress, latest)} label={label} />;
}

function CancelJob({ id, name }: { id: string; name: string }) {
  const [{ fetching, error }, cancelJob] = useMutation(CancelJobDocument);
  return (
    <>
      <button type="button" className="secondary" disabled={fetching} aria-label={`Cancel ${name}`} onClick={() => void cancelJob({ id }).then((r) => haptic(r.error ? 'error' : 'success'))}>
        {fetching ? 'Cancelling…' : 'Cancel'}
      </button>
      <ErrorNote error={error} />
    </>
  );
}
