import { useQuery } from 'urql';
import { Empty, ErrorNote, Loading } from '../components/states';
import { LibraryTracksDocument } from '../generated/graphql';
import { dateTime, duration } from '../format';
import { hrefOf } from '../router';

const PAGE = 50;

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
            {tracks.edges.map(({ node: track }) => (
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
          </ul>
        </>
      )}
    </main>
  );
}
