// Runs a command with a throw-away PostgreSQL cluster (tests/http/pg.mjs) beside it:
// TAMIN_TEST_PG is a fresh database's URL, which the C unit tests' fixture
// (tests/unit/dbfixture.h) uses to make a database of its own for each test. The cluster
// is stopped when the command ends, whatever its status, which is this script's status.
//   node tests/pg/with-cluster.mjs build/tests/test_store
import { spawnSync } from 'node:child_process';
import { startCluster } from '../http/pg.mjs';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node tests/pg/with-cluster.mjs COMMAND [ARGS...]');
  process.exit(2);
}
const cluster = startCluster();
let status = 1;
try {
  const url = cluster.createDatabase('unit_maint');
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, TAMIN_TEST_PG: url } });
  status = r.status ?? 1;
} finally {
  cluster.stop();
}
process.exit(status);
