import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

/**
 * Benchmark only: PostGraphile 5 serving the same tables, for the comparison in api.bench.ts.
 * (5.0.0-rc.3: later releases need Node 22.) Usage: node postgraphile.server.js <databaseUrl> <port>
 */
const [databaseUrl, port] = process.argv.slice(2);
const preset = {
  extends: [PostGraphileAmberPreset],
  // Our indexes are partial (live tracks only), which PostGraphile does not count; allow
  // filtering and ordering by any column so it can serve the same query.
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  pgServices: [makePgService({ connectionString: databaseUrl!, schemas: ['public'], poolConfig: { max: 10 } })],
  grafserv: { port: Number(port), graphqlPath: '/graphql' },
  grafast: { explain: false },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
await serv.addTo(server);
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  void Promise.resolve(pgl.release()).then(() => process.exit(0));
});
