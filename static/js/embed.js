// An embedded rating page (templates/embed/base.html) talking to the app that frames it.
// - Each rating, pick or set submission is posted to the parent as
//   {"type": "horde-ratings:rated", "image_id" | "request_id", "reward", "kudos_total"}:
//   htmx answers carry it in HX-Trigger, full pages in data-embed-events.
// - {"type": "horde-ratings:resize", "height"} whenever the content's height changes, so the parent can size the frame.
// Messages go to the embedding origin only (data-embed-origin, from the frame's signed session), never to "*".
(function () {
  "use strict";

  var body = document.body;
  var origin = body.dataset.embedOrigin || "";
  var framed = window.parent && window.parent !== window;

  function post(message) {
    if (framed && origin) window.parent.postMessage(message, origin);
  }

  function rated(detail) {
    var message = { type: "horde-ratings:rated", reward: Number(detail.reward) || 0, kudos_total: Number(detail.kudos_total) || 0 };
    if (detail.image_id) message.image_id = String(detail.image_id);
    if (detail.request_id) message.request_id = String(detail.request_id);
    post(message);
  }

  // The one-time token has done its work: keep it out of the frame's history and of any later request.
  if (window.URLSearchParams && new URLSearchParams(window.location.search).has("token")) {
    var url = new URL(window.location.href);
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }

  try {
    JSON.parse(body.dataset.embedEvents || "[]").forEach(rated);
  } catch (error) { /* a page without events */ }

  document.addEventListener("horde-ratings:rated", function (event) { rated(event.detail || {}); });

  // Tabbing into the frame from the app lands on its first link ("Horde Ratings", which opens the site in a new
  // tab, so Enter there would not save): move on to the page's own controls, where the keys work.
  window.addEventListener("focus", function (event) {
    if (event.target !== window) return;
    window.setTimeout(function () {
      var active = document.activeElement;
      if (!active || !active.closest || !active.closest(".embed-who")) return;
      var first = document.querySelector(
        '#card input[name="rating"]:checked, #card input[name="rating"], #best-card input[name="winner"], ' +
        '#gen-form input:not([type=hidden])'
      );
      if (first) first.focus({ preventScroll: true });
    }, 0);
  }, true);

  var lastHeight = 0;
  var scheduled = false;
  function measure() {
    scheduled = false;
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== lastHeight) {
      lastHeight = height;
      post({ type: "horde-ratings:resize", height: height });
    }
  }
  function schedule() {
    if (!scheduled) { scheduled = true; window.requestAnimationFrame(measure); }
  }
  if (window.ResizeObserver) new ResizeObserver(schedule).observe(document.body);
  document.addEventListener("htmx:afterSettle", schedule);
  window.addEventListener("load", schedule);
  schedule();
})();
