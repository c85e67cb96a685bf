// The insights GraphiQL page: GraphiQL on this origin's /graphql, the header
// editor prefilled for Authorization, and one button per demo token
// (development only) that puts that token into the header editor.
(function () {
  "use strict";
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  var state = {
    generation: 0,
    query: "{\n  me { sub role importer workshops partner }\n}\n",
    headers: headersFor(""),
  };

  function headersFor(token) {
    return JSON.stringify({ Authorization: "Bearer " + token }, null, 2);
  }

  function render() {
    root.render(
      React.createElement(GraphiQL, {
        // A new key remounts GraphiQL so it re-reads the headers and introspects
        // the schema of the chosen token's role.
        key: state.generation,
        fetcher: fetcher,
        query: state.query,
        headers: state.headers,
        shouldPersistHeaders: false,
        isHeadersEditorEnabled: true,
        defaultEditorToolsVisibility: "headers",
        onEditQuery: function (value) { state.query = value; },
        onEditHeaders: function (value) { state.headers = value; },
      })
    );
  }

  function useToken(token) {
    state.headers = headersFor(token);
    state.generation += 1;
    render();
  }

  function showTokens(answer) {
    var bar = document.getElementById("tokens");
    (answer.tokens || []).forEach(function (entry) {
      var button = document.createElement("button");
      button.type = "button";
      button.dataset.role = entry.role;
      button.title = entry.scope || entry.role;
      button.textContent = entry.role;
      button.addEventListener("click", function () { useToken(entry.token); });
      bar.appendChild(button);
    });
    if (!answer.tokens || !answer.tokens.length) {
      bar.appendChild(document.createTextNode(" none (load data: insights demo)"));
    }
  }

  fetch("/dev/tokens").then(function (r) { return r.ok ? r.json() : {}; }).then(showTokens);
  render();
})();
