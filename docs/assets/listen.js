/* "Listen to this policy": reads the page aloud with the browser's own speech synthesis.
   Progressive enhancement: the Formats box holds an empty, hidden placeholder; this script fills
   it only where the browser can speak, so nobody is offered a control that does nothing. The
   placeholder's data-listen holds the control's words in the page's language (pages.py). */
(function () {
  "use strict";
  var place = document.querySelector("[data-listen]");
  if (!place || !("speechSynthesis" in window) || !("SpeechSynthesisUtterance" in window)) {
    return;
  }
  var speech = window.speechSynthesis;
  var said = JSON.parse(place.dataset.listen);
  var queue = [];

  function button(text) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "md-button listen__button";
    element.textContent = text;
    place.appendChild(element);
    return element;
  }

  var listen = button(said.listen);
  var pause = button(said.pause);
  var stop = button(said.stop);
  var status = document.createElement("p");
  status.className = "listen__status";
  status.setAttribute("role", "status");
  place.appendChild(status);

  function show(playing, paused) {
    listen.hidden = playing;
    pause.hidden = !playing;
    stop.hidden = !playing;
    pause.textContent = paused ? said.resume : said.pause;
    status.textContent = playing ? (paused ? said.paused : said.reading) : "";
  }

  function chunks() {
    /* A paragraph at a time: some browsers stop long utterances part way through. */
    var article = document.querySelector("article") || document.body;
    var parts = [];
    article.querySelectorAll("h1, h2, h3, h4, p, li, td, th, dt, dd").forEach(function (node) {
      if (node.closest(".policy-formats") || node.closest("li p, td p")) { return; }
      var text = node.textContent.replace(/\s+/g, " ").trim();
      if (text) { parts.push(text); }
    });
    return parts;
  }

  function next() {
    if (!queue.length) { show(false, false); return; }
    var utterance = new SpeechSynthesisUtterance(queue.shift());
    utterance.lang = document.documentElement.lang || "en-GB";
    utterance.onend = next;
    speech.speak(utterance);
  }

  listen.addEventListener("click", function () {
    speech.cancel();
    queue = chunks();
    show(true, false);
    next();
  });
  pause.addEventListener("click", function () {
    if (speech.paused) { speech.resume(); show(true, false); } else { speech.pause(); show(true, true); }
  });
  stop.addEventListener("click", function () {
    queue = [];
    speech.cancel();
    show(false, false);
    listen.focus();
  });
  show(false, false);
  place.hidden = false;
}());
