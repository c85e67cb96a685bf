// A browser client of the insights API, no build step: persisted GET queries
// (Apollo's APQ protocol) through CORS. The page is meant to be served from
// another origin than the API (list it in INSIGHTS_CORS_ORIGINS).
// Settings come from the form or the URL fragment: #api=...&token=...&preset=...
"use strict";

const QUERY = `query WebPartnerDashboard($preset: PeriodPreset!) {
  salesPartners {
    nodes {
      id name
      dashboard(filter: { period: { preset: $preset } }) {
        period { from to }
        pipeline { openLeads overdueLeads }
        leadPick { offersReceived { value } pickRate { value } }
        conversion { won { value } conversionRate { value } }
        reportUrl
      }
    }
  }
}`;

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function graphql(api, token, variables) {
  const extensions = { persistedQuery: { version: 1, sha256Hash: await sha256(QUERY) } };
  const headers = {
    Authorization: `Bearer ${token}`,
    Accept: "application/graphql-response+json, application/json;q=0.9",
  };
  // 1. GET by hash: cacheable by the browser (ETag / If-None-Match, max-age).
  const params = new URLSearchParams({
    extensions: JSON.stringify(extensions),
    variables: JSON.stringify(variables),
  });
  let answer = await (await fetch(`${api}?${params}`, { headers })).json();
  const notFound = (answer.errors || []).some(
    (e) => e.extensions && e.extensions.code === "PERSISTED_QUERY_NOT_FOUND"
  );
  if (notFound) {
    // 2. Unknown hash: register the document once (POST), then GET works for everyone.
    await fetch(api, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ query: QUERY, variables, extensions }),
    });
    answer = await (await fetch(`${api}?${params}`, { headers })).json();
  }
  return answer;
}

function percent(value) {
  return value === null ? "–" : `${(100 * value).toFixed(1)} %`;
}

function card(title, value) {
  const div = document.createElement("div");
  div.className = "card";
  div.dataset.card = title;
  div.textContent = title;
  const figure = document.createElement("b");
  figure.textContent = value;
  div.appendChild(figure);
  return div;
}

function show(partners) {
  const root = document.getElementById("dashboards");
  root.replaceChildren();
  for (const partner of partners) {
    const board = partner.dashboard;
    const section = document.createElement("section");
    section.dataset.partner = partner.id;
    const title = document.createElement("h2");
    title.textContent = `${partner.name} · ${board.period.from} – ${board.period.to}`;
    const cards = document.createElement("div");
    cards.className = "cards";
    cards.append(
      card("Open leads", board.pipeline.openLeads),
      card("Overdue leads", board.pipeline.overdueLeads),
      card("Offers received", board.leadPick.offersReceived.value),
      card("Pick rate", percent(board.leadPick.pickRate.value)),
      card("Won", board.conversion.won.value),
      card("Conversion rate", percent(board.conversion.conversionRate.value))
    );
    const print = document.createElement("a");
    print.href = board.reportUrl; // signed, short-lived: opens without a token
    print.textContent = "Print / save as PDF";
    print.className = "report";
    section.append(title, cards, print);
    root.appendChild(section);
  }
}

async function load(api, token, preset) {
  const status = document.getElementById("status");
  status.className = "";
  status.textContent = "Loading…";
  try {
    const answer = await graphql(api, token, { preset });
    if (answer.errors) throw new Error(answer.errors.map((e) => e.message).join("; "));
    show(answer.data.salesPartners.nodes);
    status.textContent = "Loaded.";
  } catch (error) {
    status.className = "error";
    status.textContent = `Failed: ${error.message}`;
  }
}

const form = document.getElementById("settings");
const fragment = new URLSearchParams(window.location.hash.slice(1));
for (const name of ["api", "token", "preset"]) {
  if (fragment.get(name)) document.getElementById(name).value = fragment.get(name);
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  load(form.api.value, form.token.value, form.preset.value);
});
if (fragment.get("api") && fragment.get("token")) {
  load(fragment.get("api"), fragment.get("token"), form.preset.value);
}
