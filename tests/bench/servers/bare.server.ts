import { createServer } from 'node:http';
import { GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { createHandler } from 'graphql-http/lib/use/http';
import pg from 'pg';

/**
 * Benchmark only: the bare ceiling for the library query — graphql-http and graphql-js over pg,
 * one SQL for the page and one for all its versions, no auth, no ORM, no framework.
 * Usage: node bare.server.js <databaseUrl> <port>
 */
const [databaseUrl, port] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });

interface TrackRow {
  id: string;
  title: string;
}
interface VersionRow {
  track_id: string;
  number: number;
  source: string;
}

const Version = new GraphQLObjectType<VersionRow>({
  name: 'TrackVersion',
  fields: { number: { type: new GraphQLNonNull(GraphQLInt) }, source: { type: new GraphQLNonNull(GraphQLString) } },
});
const Track = new GraphQLObjectType<TrackRow & { versions: VersionRow[] }>({
  name: 'Track',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    title: { type: new GraphQLNonNull(GraphQLString) },
    versions: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Version))) },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      tracks: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Track))),
        args: { userId: { type: new GraphQLNonNull(GraphQLID) }, first: { type: GraphQLInt } },
        resolve: async (_root, args: { userId: string; first?: number }) => {
          const tracks = await pool.query<TrackRow>('select id, title from tracks where user_id = $1 and deleted_at is null order by created_at desc, id desc limit $2', [args.userId, args.first ?? 20]);
          const versions = await pool.query<VersionRow>('select track_id, number, source from track_versions where track_id = any($1) order by number desc', [tracks.rows.map((t) => t.id)]);
          return tracks.rows.map((t) => ({ ...t, versions: versions.rows.filter((v) => v.track_id === t.id) }));
        },
      },
    },
  }),
});
const handler = createHandler({ schema });
const server = createServer((req, res) => {
  if (req.url?.startsWith('/graphql')) return handler(req, res);
  res.writeHead(404).end();
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
