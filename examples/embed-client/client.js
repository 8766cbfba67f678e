// An example client of Horde Ratings' embedded pages, in three steps:
// 1. POST {SITE}/api/v1/embed/token with the user's Horde key and this page's origin: a one-time token.
// 2. Open {SITE}/embed/...?token=<token> in the iframe (the key itself never enters the frame or a URL).
// 3. Listen to the frame's messages, from the site's origin only: resize the frame, log each rating.
(function () {
  "use strict";

  var SITE = (new URLSearchParams(location.search).get("site") || "http://localhost:8000").replace(/\/+$/, "");
  var SITE_ORIGIN = new URL(SITE).origin;

  var form = document.getElementById("open-form");
  var frame = document.getElementById("frame");
  var problem = document.getElementById("problem");
  var targetField = document.getElementById("target-field");
  var target = document.getElementById("target");
  var log = document.getElementById("log");

  document.getElementById("site-link").href = SITE + "/";
  document.getElementById("site-link").textContent = SITE;

  // The embedded pages: what the user chose, and what it needs (a dataset slug, a request id).
  var PAGES = {
    rate: { label: "", path: function () { return "/embed/rate/"; } },
    dataset: { label: "Dataset slug", path: function (slug) { return "/embed/rate/" + slug + "/"; } },
    best: { label: "Dataset slug", path: function (slug) { return "/embed/rate/" + slug + "/best/"; } },
    generations: { label: "Generation request id", path: function (id) { return "/embed/generations/" + id + "/"; } },
  };

  function chosen() { return PAGES[form.elements.page.value]; }

  function showTargetField() {
    var page = chosen();
    targetField.hidden = !page.label;
    target.required = Boolean(page.label);
    document.getElementById("target-label").textContent = page.label;
  }
  form.addEventListener("change", showTargetField);
  showTargetField();

  function say(message) {
    problem.textContent = message;
    problem.hidden = !message;
  }

  async function newToken(apikey) {
    var response;
    try {
      response = await fetch(SITE + "/api/v1/embed/token", {
        method: "POST",
        headers: { "apikey": apikey, "Content-Type": "application/json", "Client-Agent": "EmbedExample:1.0:example" },
        body: JSON.stringify({ origin: location.origin }),
      });
    } catch (error) {
      throw new Error("The ratings site did not answer, or does not let " + location.origin + " embed it (CORS).");
    }
    var answer = await response.json().catch(function () { return {}; });
    if (response.status !== 201) throw new Error(answer.message || "The ratings site answered " + response.status + ".");
    return answer.token;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    say("");
    var page = chosen();
    var value = target.value.trim();
    var button = document.getElementById("open");
    button.disabled = true;
    try {
      var token = await newToken(form.elements.apikey.value.trim());
      frame.src = SITE + page.path(encodeURIComponent(value)) + "?token=" + encodeURIComponent(token);
      frame.hidden = false;
    } catch (error) {
      say(error.message);
    } finally {
      button.disabled = false;
    }
  });

  function logRating(data) {
    var item = document.createElement("li");
    var what = data.image_id ? "Image " + data.image_id
      : data.request_id ? "Generation set " + data.request_id
      : "A best-of pick (no clear winner)";
    item.textContent = what + ": +" + data.reward + " kudos, " + data.kudos_total + " earned in all";
    item.dataset.reward = data.reward;
    item.dataset.kudosTotal = data.kudos_total;
    if (data.image_id) item.dataset.imageId = data.image_id;
    if (data.request_id) item.dataset.requestId = data.request_id;
    log.append(item);
    document.getElementById("log-empty").hidden = true;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== SITE_ORIGIN || event.source !== frame.contentWindow) return;  // not our frame
    var data = event.data || {};
    if (data.type === "horde-ratings:resize" && Number(data.height) > 0) {
      frame.style.height = Math.ceil(Number(data.height)) + "px";
    } else if (data.type === "horde-ratings:rated") {
      logRating(data);
    }
  });
})();
