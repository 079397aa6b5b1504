// Suggestions for the publication form's keyword rows (templates/admin/publications/publication/
// change_form.html): existing keywords from the admin's autocomplete endpoint, in a <datalist>.
(function () {
  "use strict";
  const suggestions = document.getElementById("keyword-suggestions");
  const endpoint = suggestions.dataset.endpoint;
  let timer = null;
  let pending = null;
  // One listener for every keyword row, including the rows added with “Add another”.
  document.addEventListener("input", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.getAttribute("list") !== suggestions.id) {
      return;
    }
    clearTimeout(timer);
    const term = input.value.trim();
    if (term.length < 2) {
      return;
    }
    timer = setTimeout(function () {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      const query = new URLSearchParams({
        app_label: "publications",
        model_name: "publicationkeyword",
        field_name: "keyword",
        term: term,
      });
      fetch(endpoint + "?" + query, {credentials: "same-origin", signal: pending.signal})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) {
          suggestions.replaceChildren(...data.results.map(function (result) {
            const option = document.createElement("option");
            option.value = result.text;
            return option;
          }));
        })
        .catch(function () {});
    }, 200);
  });
})();
