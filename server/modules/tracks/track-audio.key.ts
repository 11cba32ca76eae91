/**
 * Where a version's audio is stored: `tracks/<first two characters of the track id>/<track id>-<version id>.<extension>`.
 * The 256 directories under `tracks/` are made once and shared by every track, so storing a new
 * version makes no directory of its own (no mkdir, none of its fsyncs), and deleting a track's
 * files leaves no empty directory behind. Keys already stored keep their own layout: a key is
 * only ever read back from the version that holds it.
 */
export function trackAudioKey(trackId: string, versionId: string, extension: string): string {
  return `tracks/${trackId.slice(0, 2)}/${trackId}-${versionId}.${extension}`;
}
