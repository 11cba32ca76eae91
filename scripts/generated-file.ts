import { readFile, writeFile } from 'node:fs/promises';

/** A committed file generated from sources, and how to name both in messages. */
export interface GeneratedFile {
  url: URL;
  /** The file, as the repository names it. */
  name: string;
  /** What it is generated from, e.g. "the resolvers". */
  source: string;
  /** The npm script that writes it. */
  emitScript: string;
}

/**
 * `emit` writes `printed` to the file; any other mode checks that the committed file is exactly
 * `printed` and exits with 1 when it drifted, so a generated file never falls behind its source.
 */
export async function emitOrCheck(file: GeneratedFile, mode: string | undefined, printed: string): Promise<void> {
  if (mode === 'emit') {
    await writeFile(file.url, printed);
    process.stdout.write(`${file.name} written\n`);
    return;
  }
  const committed = await readFile(file.url, 'utf8').catch(() => '');
  if (committed !== printed) {
    process.stderr.write(`${file.name} is out of date with ${file.source}: run "npm run ${file.emitScript}" and commit it\n`);
    process.exit(1);
  }
  process.stdout.write(`${file.name} matches ${file.source}\n`);
}
