import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { describeError, errorCode } from '../api/errors';
import { ConfirmButton } from '../components/confirm-button';
import { ErrorNote, Loading } from '../components/states';
import { CreateProjectDocument, DeleteTrackDocument, ProjectsDocument, TrackDocument, UpdateTrackDocument } from '../generated/graphql';
import { dateTime, duration } from '../format';
import { hrefOf, navigate } from '../router';
import { useBackButton } from '../telegram/buttons';
import { haptic, telegramWebApp } from '../telegram/web-app';

/** One track: play it, rename it, file it in a project, see its versions, delete it. */
export function TrackScreen({ id }: { id: string }) {
  useBackButton(() => navigate({ screen: 'library' }));
  const [{ data, fetching, error }, refetch] = useQuery({ query: TrackDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  // `... on Track`: anything else (or nothing) under this id is not a track of yours.
  const track = data?.node && 'revision' in data.node ? data.node : null;

  return (
    <main className="screen">
      {!telegramWebApp() && (
        <a className="back" href={hrefOf({ screen: 'library' })}>
          ← Library
        </a>
      )}
      <h1>{track?.title ?? 'Track'}</h1>
      {!data && fetching && <Loading what="the track" />}
      {error && !track && <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {data && !track && !fetching && <ErrorNote text="This track no longer exists, or it is not yours." />}
      {track && (
        <>
          {track.currentVersion ? (
            <section className="card" aria-label="Player">
              <audio controls preload="metadata" src={track.currentVersion.audioUrl} aria-label={`Play ${track.title}`} data-testid="track-audio" />
              <p className="muted small">
                Version {track.currentVersion.number} · {duration(track.currentVersion.durationSeconds)}
                {track.style ? ` · ${track.style}` : ''}
              </p>
            </section>
          ) : (
            <p className="muted">This track has no audio yet.</p>
          )}
          <RenameForm id={track.id} title={track.title} revision={track.revision} onConflict={() => refetch({ requestPolicy: 'network-only' })} />
          <ProjectPicker trackId={track.id} project={track.project ?? null} />
          <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">Versions ({track.versions.length})</h2>
            <ol className="list">
              {track.versions.map((version) => (
                <li key={version.id} className="row">
                  <span>
                    Version {version.number} · {version.source} · {duration(version.durationSeconds)}
                  </span>
                  <span className="muted small">{dateTime(version.createdAt)}</span>
                  <a href={version.downloadUrl} className="small">
                    Download version {version.number}
                  </a>
                </li>
              ))}
            </ol>
          </section>
          <DeleteTrack id={track.id} title={track.title} />
        </>
      )}
    </main>
  );
}

function RenameForm({ id, title, revision, onConflict }: { id: string; title: string; revision: number; onConflict: () => void }) {
  const [draft, setDraft] = useState(title);
  const [message, setMessage] = useState<{ kind: 'error' | 'saved'; text: string } | null>(null);
  const [{ fetching }, updateTrack] = useMutation(UpdateTrackDocument);
  useEffect(() => setDraft(title), [title]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // expectedRevision: an edit made elsewhere since this screen loaded is not overwritten.
    const result = await updateTrack({ id, input: { title: draft.trim() }, expectedRevision: revision });
    if (result.data) {
      haptic('success');
      setMessage({ kind: 'saved', text: 'Saved.' });
      return;
    }
    haptic('error');
    if (errorCode(result.error) === 'CONFLICT') {
      setMessage({ kind: 'error', text: 'Someone changed this track (perhaps you, in another window) after you opened it, so your new title was not saved. The latest version is shown now; rename it again if you still want to.' });
      onConflict();
    } else {
      setMessage({ kind: 'error', text: describeError(result.error) });
    }
  };

  return (
    <form className="card" onSubmit={(event) => void submit(event)}>
      <label>
        Title
        <input value={draft} required maxLength={200} onChange={(e) => setDraft(e.target.value)} />
      </label>
      <button type="submit" disabled={fetching || draft.trim() === '' || draft.trim() === title}>
        {fetching ? 'Saving…' : 'Rename'}
      </button>
      {message && (
        <p className={message.kind === 'error' ? 'error' : 'muted'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

/** Projects a track can be filed in, shown at once; a library with more is filed from the API. */
const PROJECTS_SHOWN = 100;

/** Files the track in one of the user's projects, in a new one, or in none. */
function ProjectPicker({ trackId, project }: { trackId: string; project: { id: string; name: string } | null }) {
  const [{ data }] = useQuery({ query: ProjectsDocument, variables: { first: PROJECTS_SHOWN }, requestPolicy: 'cache-and-network' });
  const [{ fetching: filing, error: fileError }, updateTrack] = useMutation(UpdateTrackDocument);
  const [{ fetching: creating, error: createError }, createProject] = useMutation(CreateProjectDocument);
  const [name, setName] = useState('');
  // The choice being filed: shown at once rather than the old project until the server answers
  // (a failure shows the old one again, with the error).
  const [choice, setChoice] = useState<{ id: string | null; name?: string } | null>(null);
  const projects = data?.viewer.projects.edges.map((edge) => edge.node) ?? [];
  const shown = choice ? choice.id : (project?.id ?? null);
  const unlisted = [project, choice?.id && choice.name ? { id: choice.id, name: choice.name } : null].filter(
    (p): p is { id: string; name: string } => p !== null && !projects.some((listed) => listed.id === p.id),
  );

  const file = async (projectId: string | null, projectName?: string) => {
    setChoice({ id: projectId, ...(projectName !== undefined && { name: projectName }) });
    const result = await updateTrack({ id: trackId, input: { projectId } });
    setChoice(null);
    haptic(result.error ? 'error' : 'success');
  };
  const createAndFile = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createProject({ input: { name: name.trim() } });
    if (!result.data) return haptic('error');
    setName('');
    await file(result.data.createProject.id, result.data.createProject.name);
  };

  return (
    <section className="card" aria-labelledby="project-heading">
      <h2 id="project-heading">Project</h2>
      <label>
        Filed in
        <select value={shown ?? ''} disabled={filing} onChange={(event) => void file(event.target.value || null)}>
          <option value="">No project</option>
          {/* The track's own project, and one just made, even before the list has them. */}
          {unlisted.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <form onSubmit={(event) => void createAndFile(event)}>
        <label>
          New project
          <input value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" disabled={creating || filing || name.trim() === ''}>
          {creating ? 'Creating…' : 'Create and file here'}
        </button>
      </form>
      <ErrorNote error={fileError ?? createError} />
    </section>
  );
}

function DeleteTrack({ id, title }: { id: string; title: string }) {
  const [{ fetching, error }, deleteTrack] = useMutation(DeleteTrackDocument);
  return (
    <section className="card" aria-label="Delete">
      <ConfirmButton
        label="Delete track"
        confirmLabel={`Yes, delete “${title}”`}
        disabled={fetching}
        onConfirm={() =>
          void deleteTrack({ id }).then((result) => {
            haptic(result.error ? 'error' : 'success');
            if (!result.error) navigate({ screen: 'library' });
          })
        }
      />
      <ErrorNote error={error} />
    </section>
  );
}
