// The rating card by keyboard, mouse and touch, and the status line. The card is
// swapped by htmx, so everything is delegated from document and reads its state
// from the DOM. The keys are listed for people in templates/ratings/_keys.html.
//
// Rules that keep a rater from saving what they did not mean:
// - nothing is saved until Enter (or a click on Save): digits only select;
// - "1" then "0" within a second is 10, not 1 with Flawless artifacts;
// - keys typed while a save is in flight are kept and applied, in order, to the
//   next card; if the site does not answer they are dropped and the rater is told.
(function () {
  "use strict";

  var TEN_WINDOW_MS = 1000;
  var TOAST_MS = 7000;
  var root = document.documentElement;
  root.classList.add("js");

  var busy = false;          // an htmx request for the card is in flight
  var queued = [];           // keys pressed meanwhile: {key, time}
  var tenArmedAt = null;     // when "1" was pressed as a rating, for "1" then "0" = 10
  var lastInput = "pointer"; // "keyboard" once a key was used: focus follows the card then

  function card() { return document.getElementById("card"); }
  function rateForm() { return document.getElementById("rate-form"); }

  function checked(name) {
    var c = card();
    var input = c && c.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : null;
  }

  function labelOf(name, value) {
    var input = card().querySelector('input[name="' + name + '"][value="' + value + '"]');
    var label = input && input.closest("label");
    var text = label && label.querySelector(".lbl");
    return text ? text.textContent : "";
  }

  function setStep(step) {
    var c = card();
    if (c) c.dataset.step = step;
  }

  function showError(text) {
    var error = card() && card().querySelector(".rate-form .field-error");
    if (!error) return;
    error.textContent = text;
    error.dataset.testid = "error";
    error.hidden = !text;
  }

  // The Save button says what it will save: "7 · Good · artifacts 1 · Tiny flaws".
  function updateSummary() {
    var c = card();
    var summary = c && c.querySelector("[data-summary]");
    if (!summary) return;
    var rating = checked("rating");
    var artifacts = checked("artifacts");
    var text = "";
    if (rating) {
      text = rating + " · " + labelOf("rating", rating);
      text += artifacts !== null ? " · artifacts " + artifacts + " · " + labelOf("artifacts", artifacts) : " · no artifacts rating";
    }
    summary.textContent = text;
    if (rating) showError("");
  }

  function choose(name, value) {
    var input = card().querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (input) input.checked = true;
    updateSummary();
    return input;
  }

  function clearChoice(name) {
    card().querySelectorAll('input[name="' + name + '"]').forEach(function (input) { input.checked = false; });
    updateSummary();
  }

  function submit(formId) {
    var form = document.getElementById(formId);
    if (!form) return false;
    // htmx wires up a card it swapped in only when the swap settles: a key pressed before
    // that would post the form natively and reload the whole page.
    if (window.htmx) window.htmx.process(form);
    form.requestSubmit();
    return true;
  }

  function save() {
    if (!checked("rating")) {
      showError("Choose a rating from 1 to 10 first, then press Enter.");
      setStep("rating");
      return false;
    }
    return submit("rate-form");
  }

  // Zoom: the original file, at full resolution, loaded only when asked for.
  function zoomDialog() { return document.getElementById("zoom"); }
  function openZoom() {
    var dialog = zoomDialog();
    if (!dialog || dialog.open) return;
    var img = dialog.querySelector("img");
    if (!img.getAttribute("src")) img.src = img.dataset.original;
    dialog.showModal();
  }
  function closeZoom() {
    var dialog = zoomDialog();
    if (dialog && dialog.open) dialog.close();
  }

  function say(text, kind) {
    var region = document.getElementById("status");
    if (!region) return;
    var p = document.createElement("p");
    p.className = "toast " + (kind || "info");
    p.textContent = text;
    region.replaceChildren(p);
    armToasts();
  }

  // One key, whether pressed now or replayed after a swap. Returns true when it
  // started a request (the keys after it wait for the next card).
  function handleKey(key, time) {
    var c = card();
    if (!c) return false;
    var dialog = zoomDialog();
    if (dialog && dialog.open) {
      if (key === "z" || key === "Z" || key === "Escape") closeZoom();
      return false; // nothing else while the rater cannot see the controls
    }
    var report = document.getElementById("report");
    if (report && report.open) {
      var reasonButton = report.querySelector('button[data-key="' + key.toLowerCase() + '"]');
      if (reasonButton) { reasonButton.click(); return true; }
      if (key === "o" || key === "O") { document.getElementById("report-note").focus(); return false; }
      if (key === "Escape" || key === "r" || key === "R") { report.open = false; return false; }
    }
    var help = document.getElementById("keys-help");
    if (key === "?") { if (help) help.open = !help.open; return false; }
    if (key === "Escape" && help && help.open) { help.open = false; return false; }

    var armed = tenArmedAt !== null && time - tenArmedAt <= TEN_WINDOW_MS;
    tenArmedAt = null;
    if (!rateForm()) {
      if (key === "u" || key === "U") return submit("undo-form");
      return false;
    }
    if (/^[0-9]$/.test(key)) {
      if (c.dataset.step === "artifacts") {
        if (key === "0" && armed && checked("rating") === "1") { choose("rating", "10"); return false; }
        if (/^[0-5]$/.test(key)) { choose("artifacts", key); return false; }
        choose("rating", key); // 6-9 can only be a rating: the rater changed their mind
        return false;
      }
      choose("rating", key === "0" ? "10" : key);
      if (key === "1") tenArmedAt = time;
      setStep("artifacts");
      return false;
    }
    switch (key) {
      case "Enter": return save();
      case "Backspace":
      case "Escape":
        if (checked("artifacts") !== null) clearChoice("artifacts");
        else setStep("rating");
        return false;
      case "s": case "S": return submit("skip-form");
      case "u": case "U":
        if (submit("undo-form")) return true;
        say("There is no rating of the last " + (c.dataset.undoMinutes || "10") + " minutes to undo.", "warning");
        return false;
      case "z": case "Z": openZoom(); return false;
      case "r": case "R": if (report) report.open = true; return false;
    }
    return false;
  }

  var HANDLED = /^([0-9]|Enter|Backspace|Escape|[sSuUzZrRbBnNwWoO?])$/;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = (target.tagName || "").toLowerCase();
    if ((tag === "input" && target.type === "text") || tag === "textarea" || tag === "select") return;
    if (!card() || !HANDLED.test(event.key)) return;
    // Enter and Space on a focused button or link do what that control says.
    if (event.key === "Enter" && (tag === "button" || tag === "summary" || tag === "a")) return;
    lastInput = "keyboard";
    event.preventDefault();
    if (busy) {
      queued.push({ key: event.key, time: event.timeStamp });
      return;
    }
    handleKey(event.key, event.timeStamp);
  });

  document.addEventListener("pointerdown", function () { lastInput = "pointer"; }, true);

  document.addEventListener("change", function (event) {
    if (!event.target.closest || !event.target.closest("#card")) return;
    if (event.target.name === "rating") setStep("artifacts");
    if (event.target.name === "rating" || event.target.name === "artifacts") updateSummary();
  });

  // A second click on the chosen artifacts value takes it back (the scale is optional). The
  // click on the label comes first; the browser's own click on the radio follows it.
  document.addEventListener("click", function (event) {
    var label = event.target.closest && event.target.closest(".artifacts-scale label.option");
    var input = label && label.querySelector("input");
    if (input && input.checked && event.target !== input) {
      event.preventDefault();
      input.checked = false;
      updateSummary();
      return;
    }
    var zoomLink = event.target.closest && event.target.closest("[data-zoom]");
    if (zoomLink && zoomDialog()) {
      event.preventDefault();
      openZoom();
      return;
    }
    if (event.target.closest && event.target.closest("#zoom")) closeZoom(); // a click or tap anywhere closes it
  });

  document.addEventListener("submit", function (event) {
    if (event.target.id === "rate-form" && !checked("rating")) {
      event.preventDefault();
      showError("Choose a rating from 1 to 10 first.");
    }
  }, true);

  // In flight: keys wait. htmx events bubble from the element that made the request.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "card") busy = true;
  });

  function focusCard() {
    var c = card();
    if (!c) return;
    var top = c.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.5) window.scrollTo({ top: window.scrollY + top - 8, behavior: "instant" });
    if (lastInput !== "keyboard") return;
    var target = c.querySelector('input[name="rating"]:checked') || c.querySelector('input[name="rating"]') ||
      c.querySelector("[data-testid=paused] a, .empty a, .empty button");
    if (target) target.focus({ preventScroll: true });
  }

  // htmx fires afterSettle once per settled element: the card and each out-of-band piece (the status line) of
  // the same answer. Only the card's own event ends the request; otherwise a key replayed from the queue
  // would start a save that the next piece's event then marks finished.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!busy || !event.target || event.target.id !== "card") return;
    var banner = document.getElementById("connection-error");
    if (banner) banner.hidden = true;
    busy = false;
    tenArmedAt = null;
    updateSummary();
    focusCard();
    armToasts();
    startCountdown();
    while (queued.length && !busy) {
      var next = queued.shift();
      if (handleKey(next.key, next.time)) break;
    }
  });

  function requestFailed(event) {
    var banner = document.getElementById("connection-error");
    if (banner) {
      var lost = queued.length;
      banner.textContent = "The site did not answer; nothing was lost" +
        (lost ? ", but the " + lost + " key" + (lost > 1 ? "s" : "") + " you typed meanwhile were not applied" : "") +
        ". Try again.";
      banner.hidden = false;
    }
    busy = false;
    queued = [];
  }
  document.addEventListener("htmx:sendError", requestFailed);
  document.addEventListener("htmx:responseError", requestFailed);

  // Status toasts fade after a while, unless the pointer or focus is on them.
  function armToasts() {
    var region = document.getElementById("status");
    if (!region) return;
    region.querySelectorAll(".toast:not([data-armed])").forEach(function (toast) {
      toast.dataset.armed = "1";
      if (!toast.querySelector(".close")) {
        var close = document.createElement("button");
        close.type = "button";
        close.className = "close";
        close.setAttribute("aria-label", "Close this message");
        close.textContent = "×";
        close.addEventListener("click", function () { toast.remove(); });
        toast.appendChild(close);
      }
      if (toast.classList.contains("warning") || toast.classList.contains("error")) return;
      setTimeout(function fade() {
        if (toast.matches(":hover, :focus-within")) { setTimeout(fade, 2000); return; }
        toast.classList.add("fading");
        setTimeout(function () { toast.remove(); }, 400);
      }, TOAST_MS);
    });
  }

  // The pause's countdown; the card itself comes back by htmx when the pause ends.
  var countdownTimer = null;
  function startCountdown() {
    clearInterval(countdownTimer);
    var paused = document.querySelector("[data-testid=paused][data-until-ms]");
    if (!paused) return;
    var until = Number(paused.dataset.untilMs);
    function tick() {
      var shown = paused.querySelector(".countdown");
      var left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      if (shown) shown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left <= 0) clearInterval(countdownTimer);
    }
    tick();
    countdownTimer = setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    updateSummary();
    armToasts();
    startCountdown();
  });

  // For the other cards swapped by htmx (the best-of page): the same toasts and countdown, written once.
  window.HordeRatings = { armToasts: armToasts, startCountdown: startCountdown };
})();
