// The best-of card by keyboard, mouse and touch. The card (#best-card) is swapped by htmx, so everything is
// delegated from document and reads its state from the DOM. The keys are listed for people in
// templates/bestof/_keys.html. rate.js (loaded on every page) leaves this card alone: it acts on #card only.
//
// Nothing is saved that the rater has not seen selected: digits and N only select (the image is outlined and
// the Save button says "Save: image 2 is best"), Enter saves what is selected, and keys typed while a pick is
// being saved are dropped rather than applied to images the rater has not seen yet.
(function () {
  "use strict";

  var busy = null;  // the card whose pick or skip is being saved; keys wait until a new card replaces it

  function card() { return document.getElementById("best-card"); }
  function form() { return document.getElementById("pick-form"); }

  function choices() {
    var f = form();
    return f ? Array.prototype.slice.call(f.querySelectorAll('input[name="winner"]')) : [];
  }

  function checked() {
    var f = form();
    return f && f.querySelector('input[name="winner"]:checked');
  }

  function showError(text) {
    var error = form() && form().querySelector(".field-error");
    if (!error) return;
    error.textContent = text;
    error.dataset.testid = "error";
    error.hidden = !text;
  }

  // The Save button says what it will save.
  function updateSummary() {
    var f = form();
    if (!f) return;
    var summary = f.querySelector("[data-summary]");
    var fallback = f.querySelector("[data-summary-default]");
    var input = checked();
    var text = "";
    if (input) {
      var candidate = input.closest(".candidate");
      text = candidate ? "Save: image " + candidate.dataset.position + " is best" : "Save: no clear winner";
      showError("");
    }
    summary.textContent = text;
    if (fallback) fallback.hidden = Boolean(text);
  }

  function select(input) {
    if (!input) return;
    input.checked = true;
    updateSummary();
  }

  function clearSelection() {
    choices().forEach(function (input) { input.checked = false; });
    updateSummary();
  }

  function submit(formId) {
    var f = document.getElementById(formId);
    if (!f) return false;
    if (window.htmx) window.htmx.process(f); // a card swapped in just now may not be wired up yet
    f.requestSubmit();
    return true;
  }

  function save() {
    if (!checked()) {
      showError("Pick the best image (1–" + (choices().length - 1) + ") or N for no clear winner, then press Enter.");
      return;
    }
    submit("pick-form");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var c = card();
    if (!c) return;
    var target = event.target;
    var tag = (target.tagName || "").toLowerCase();
    if ((tag === "input" && target.type === "text") || tag === "textarea" || tag === "select") return;
    var key = event.key;
    if (key === "Enter" && (tag === "button" || tag === "summary" || tag === "a")) return;
    if (!/^([0-9]|Enter|Escape|Backspace|[nNsS?])$/.test(key)) return;
    event.preventDefault();
    if (busy && busy === card()) return;
    var help = document.getElementById("best-keys-help");
    if (key === "?") { if (help) help.open = !help.open; return; }
    if (!form()) return;
    var inputs = choices();
    var none = inputs[inputs.length - 1]; // "no clear winner" comes last
    if (/^[1-9]$/.test(key)) {
      var n = Number(key);
      if (n <= inputs.length - 1) select(inputs[n - 1]);
      return;
    }
    switch (key) {
      case "0": case "n": case "N": select(none); return;
      case "Enter": save(); return;
      case "Escape": case "Backspace":
        if (help && help.open) help.open = false; else clearSelection();
        return;
      case "s": case "S": submit("skip-group-form"); return;
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.name === "winner" && event.target.closest("#best-card")) updateSummary();
  });

  document.addEventListener("submit", function (event) {
    if (event.target.id === "pick-form" && !checked()) {
      event.preventDefault();
      showError("Pick the best image, or No clear winner, first.");
    }
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "best-card") busy = target;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "best-card") return;
    busy = null;
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = true;
    updateSummary();
    // The status line's toasts and the pause's countdown work as on /rate/ (rate.js, loaded on every page).
    if (window.HordeRatings) {
      window.HordeRatings.armToasts();
      window.HordeRatings.startCountdown();
    }
  });

  function requestFailed() {
    busy = null;
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = false;
  }
  document.addEventListener("htmx:sendError", requestFailed);
  document.addEventListener("htmx:responseError", requestFailed);

  document.addEventListener("DOMContentLoaded", updateSummary);
})();
