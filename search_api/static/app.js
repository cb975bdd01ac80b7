// Search-as-you-type for the search page: fills the box's <datalist> from
// /api/suggest.  Only an enhancement: the form works without this file.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch || !window.AbortController) return;

  var DELAY_MS = 150; // wait for a pause in typing: one request per burst, not per key
  var timer = null;
  var pending = null;
  var shown = "";

  function show(words) {
    var options = words.map(function (word) {
      var option = document.createElement("option");
      option.value = word; // text, never HTML
      return option;
    });
    list.replaceChildren.apply(list, options);
  }

  function isListed(text) {
    return Array.prototype.some.call(list.options, function (option) { return option.value === text; });
  }

  function update() {
    var text = input.value;
    if (text === shown) return;
    shown = text;
    if (pending) pending.abort(); // an older answer must not overwrite a newer one
    if (!text.trim()) { show([]); return; }
    pending = new AbortController();
    fetch("/api/suggest?q=" + encodeURIComponent(text), {
      signal: pending.signal,
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.query === input.value) show(data.suggestions);
      })
      .catch(function () { /* aborted or offline: keep the last list */ });
  }

  input.addEventListener("input", function (event) {
    clearTimeout(timer);
    // Picking a suggestion replaces the text: search for it straight away.
    // (A spelling correction is a replacement too: submit only a listed word.)
    if (event.inputType === "insertReplacementText" && input.form && isListed(input.value)) {
      if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
      return;
    }
    timer = setTimeout(update, DELAY_MS);
  });
})();
