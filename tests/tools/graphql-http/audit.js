// node audit.js URL TOKEN -> JSON list of {name, status, reason} (status: ok | warn | error).
// Every request carries the bearer token: the API answers 401 without one.
const { auditServer } = require("graphql-http");

const [url, token] = process.argv.slice(2);

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers || (input instanceof Request ? input.headers : {}));
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

auditServer({ url, fetchFn }).then(async (results) => {
  const out = [];
  for (const r of results) {
    out.push({ name: r.name, status: r.status, reason: r.reason || null });
  }
  process.stdout.write(JSON.stringify(out));
});
