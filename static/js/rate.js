// Keyboard operation of the rating card, and a visible message when the site
// does not answer. The card is swapped by htmx, so everything is delegated from
// document and reads its state from the DOM.
(function () {
  "use strict";

  function card() { return document.getElementById("card"); }

  function setStep(step) {
    var c = card();
    if (!c) return;
    c.dataset.step = step;
    var back = c.querySelector("[data-action=back]");
    if (back) back.hidden = step !== "artifacts";
  }

  function choose(name, value) {
    var input = card().querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (input) { input.checked = true; }
    return input;
  }

  function submit(formId) {
    var form = document.getElementById(formId);
    if (!form) return;
    // htmx wires up a card it swapped in only when the swap settles (20 ms later): a key
    // pressed before that would post the form natively and reload the whole page.
    if (window.htmx) window.htmx.process(form);
    form.requestSubmit();
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "rating") setStep("artifacts");
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-action=back]")) setStep("rating");
  });

  document.addEventListener("keydown", function (event) {
    var c = card();
    if (!c || !document.getElementById("rate-form")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type === "text" || tag === "textarea" || tag === "select") return;
    var key = event.key;
    var report = document.getElementById("report");

    if (report && report.open) {
      var reasonButton = report.querySelector('button[data-key="' + key.toLowerCase() + '"]');
      if (reasonButton) { event.preventDefault(); reasonButton.click(); return; }
      if (key === "Escape") { report.open = false; event.preventDefault(); return; }
    }
    if (c.dataset.step === "artifacts") {
      if (/^[0-5]$/.test(key)) {
        event.preventDefault();
        choose("artifacts", key);
        submit("rate-form");
        return;
      }
      if (key === "Escape" || key === "Backspace") { event.preventDefault(); setStep("rating"); return; }
    } else if (/^[0-9]$/.test(key)) {
      event.preventDefault();
      choose("rating", key === "0" ? "10" : key);
      setStep("artifacts");
      return;
    }
    if (key === "Enter" && tag !== "button" && tag !== "summary" && tag !== "a") {
      event.preventDefault();
      submit("rate-form");
    } else if (key === "s" || key === "S") {
      event.preventDefault();
      submit("skip-form");
    } else if (key === "r" || key === "R") {
      event.preventDefault();
      if (report) report.open = !report.open;
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = true;
    var c = card();
    if (c) setStep(c.dataset.step || "rating");
  });

  function showConnectionError() {
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = false;
  }
  document.addEventListener("htmx:sendError", showConnectionError);
  document.addEventListener("htmx:responseError", showConnectionError);
})();
