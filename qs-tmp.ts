import { runQuickstart } from './src/quickstart/index.js';
const home = process.argv[2]!;
const env = { ...process.env, ATTEST_HOME: home };
delete env.ATTEST_DB_URL;
const r = await runQuickstart({ home, env, operator: { principal: 'os:tester', sourceIp: 'local' }, out: (l) => console.log(l) });
console.log(r.seconds, r.cacheHits);
