// Loaded just before node-postgres (src/db/pg/open.ts). To tell Node from Cloudflare Workers,
// node-postgres reads `navigator.userAgent`, and where there is no `navigator` (Node 20) it
// builds a fetch `Response`, which loads Node's whole fetch implementation: ~25–55 ms of every
// command on a PostgreSQL database. Node 21 and later define `navigator` with this same user
// agent; on Node 20 it is defined here, as Node defines it, so the check answers at once.
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {
    value: Object.freeze({ userAgent: `Node.js/${process.versions.node.split('.')[0]}` }),
    configurable: true,
    writable: true,
    enumerable: false,
  });
}
export {};
