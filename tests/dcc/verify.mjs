// Verify one credential with the Digital Credentials Consortium's verifier
// (@digitalcredentials/verifier-core, the library behind the Learner Credential
// Wallet and the DCC's public verifier), exactly as it ships.
//
// Input (JSON on stdin):
//   credential  the credential to verify
//   origin      the academy's public origin, e.g. "https://academy.test": our did:web
//               and status lists live there
//   server      the live test server that answers for it, e.g. "http://127.0.0.1:8123"
//   documents   {url: file}: JSON files to answer with for those addresses (the
//               contexts bundled in the repository, the Open Badges schema)
//
// The verifier builds its own document loader (its contexts are built in; did:web,
// status lists and anything else are fetched over HTTP). Fetch is the one seam: every
// request for the origin is sent to the live server, the listed documents are read
// from disk, and anything else is refused and reported, so no request leaves the
// machine.
//
// Output (JSON on stdout): {result, requests: [{url, answered_by}]}.

import { readFileSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const { credential, origin, server, documents = {} } = input;
const requests = [];
const realFetch = globalThis.fetch;

globalThis.fetch = async (resource, init) => {
  const request = new Request(resource, init);
  const url = request.url;
  if (url.startsWith(origin + '/')) {
    requests.push({ url, answered_by: 'live server' });
    const local = server + url.slice(origin.length);
    return realFetch(new Request(local, request));
  }
  if (documents[url]) {
    requests.push({ url, answered_by: 'bundled file' });
    return new Response(readFileSync(documents[url]), {
      headers: { 'Content-Type': 'application/json' }
    });
  }
  requests.push({ url, answered_by: 'refused' });
  throw new TypeError(`No network in this test: ${url}`);
};

const { verifyCredential } = await import('@digitalcredentials/verifier-core');
const result = await verifyCredential({ credential, knownDIDRegistries: [] });
// The stack traces of fatal errors are long and not JSON-friendly: keep the messages.
for (const error of result.errors ?? []) {
  delete error.stackTrace;
}
delete result.credential;
process.stdout.write(JSON.stringify({ result, requests }, null, 2) + '\n');
