import { useQuery } from 'urql';
import { LoadMore } from '../components/load-more';
import { Empty, ErrorNote, Loading } from '../components/states';
import { LibraryTracksDocument, type LibraryTracksQuery } from '../generated/graphql';
import { dateTime, duration } from '../format';
import { hrefOf } from '../router';

const PAGE = 50;

type TrackEdge = LibraryTracksQuery['viewer']['tracks']['edges'][number];

/** Your tracks, newest first: play the current version right here, or open one to edit it. */
export function LibraryScreen() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: LibraryTracksDocument, variables: { first: PAGE }, requestPolicy: 'cache-and-network' });
  const tracks = data?.viewer.tracks;
  return (
    <main className="screen">
      <h1>Library</h1>
      {!tracks && fetching && <Loading what="your tracks" />}
      {error && !tracks && <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {tracks && tracks.edges.length === 0 && (
        <Empty>
          <p>No tracks yet.</p>
          <a className="button" href={hrefOf({ screen: 'generate' })}>
            Generate your first track
          </a>
        </Empty>
      )}
      {tracks && tracks.edges.length > 0 && (
        <>
          <p className="muted">
            {tracks.totalCount} track{tracks.totalCount === 1 ? '' : 's'}
          </p>
          <ul className="list">
            <TrackItems edges={tracks.edges} />
          </ul>
          <MorePages after={tracks.pageInfo.endCursor} hasMore={tracks.pageInfo.hasNextPage} />
        </>
      )}
    </main>
  );
}

function MorePages({ after, hasMore }: { after: string | null | undefined; hasMore: boolean }) {
  return <LoadMore after={after} hasMore={hasMore} label="Load more tracks" page={(next) => <NextPage after={next} />} />;
}

function NextPage({ after }: { after: string }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: LibraryTracksDocument, variables: { first: PAGE, after }, requestPolicy: 'cache-and-network' });
  const tracks = data?.viewer.tracks;
  if (!tracks) return fetching ? <Loading what="more tracks" /> : <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  return (
    <>
      <ul className="list">
        <TrackItems edges={tracks.edges} />
      </ul>
      <MorePages after={tracks.pageInfo.endCursor} hasMore={tracks.pageInfo.hasNextPage} />
    </>
  );
}

function TrackItems({ edges }: { edges: readonly TrackEdge[] }) {
  return (
    <>
      {edges.map(({ node: track }) => (
        <li key={track.id} className="card">
          <a className="title" href={hrefOf({ screen: 'track', id: track.id })}>
            {track.title}
          </a>
          <p className="muted small">
            {track.style ? `${track.style} · ` : ''}
            {track.versions.length} version{track.versions.length === 1 ? '' : 's'} · {dateTime(track.createdAt)}
            {track.currentVersion ? ` · ${duration(track.currentVersion.durationSeconds)}` : ''}
          </p>
          {track.currentVersion && <audio controls preload="none" src={track.currentVersion.audioUrl} aria-label={`Play ${track.title}`} />}
        </li>
      ))}
    </>
  );
}
