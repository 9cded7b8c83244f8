/** A separate process that opens the store at argv[2] and applies migrations (for concurrency tests). */
import { migrate, openDb } from '../../src/platform/db/index.js';

const db = await openDb(process.argv[2]!);
const result = await migrate(db);
await db.close();
process.stdout.write(JSON.stringify(result));
