// One claim as its own process on PostgreSQL, through the built store code (dist/): connect, read
// the settings, claim, print the lead's id, disconnect. bench/next-store.js times it beside `node
// -e 0` while the real `callq next` cannot use PostgreSQL in the build measured, as an indication
// of what a whole `callq next` process costs there (it loads more: commander, the lead card).
// Input: argv[2] = a postgres:// URL, argv[3] = the rep, argv[4] = the instant.
import { connectPg } from '../../dist/db/pg/open.js';
import { sessionSettings } from '../../dist/db/pg/session.js';
import { loadSettingsPg } from '../../dist/db/pg/settings.js';
import { claimNextLeadPg } from '../../dist/db/pg/queue.js';

const [url, rep, now] = process.argv.slice(2);
const client = await connectPg({ connectionString: url, ...sessionSettings() }); // the session callq's commands run in
try {
  const settings = await loadSettingsPg(client);
  const claim = await claimNextLeadPg(client, new Date(now), settings, rep, {});
  process.stdout.write(JSON.stringify({ lead: claim ? { id: claim.lead.id } : null, again: claim?.reason === 'held' }) + '\n');
} finally {
  await client.end();
}
