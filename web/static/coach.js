/*
 * Loopbrug coach inbox: keeps the transcript on a ticket page up to date.
 * Every 3 seconds (while the page is visible) it reads transcript.json and shows the
 * lines again, with textContent only. Without JavaScript the page works the same,
 * only without the automatic update (reload the page).
 */
(function () {
  "use strict";

  var INTERVAL_MS = 3000;
  var list = document.getElementById("transcript");
  if (!list || !list.getAttribute("data-src") || !window.fetch) {
    return;
  }
  var src = list.getAttribute("data-src");
  var state = document.getElementById("transcript-state");
  var liveState = document.getElementById("live-state");
  var T = {
    down: "Het gesprek kan nu niet geladen worden.",
    loggedOut: "Je bent niet meer ingelogd. Laad de pagina opnieuw.",
    empty: "Er zijn nog geen berichten.",
    fresh: "Nieuw bericht in het gesprek.",
    crisis: "Crisissignaal",
    live: "Een coach heeft het gesprek overgenomen.",
    bot: "Loopbrug voert het gesprek.",
  };
  var shown = null;
  var busy = false;
  var stopped = false;
  var timer = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function say(text) {
    if (state && state.textContent !== text) {
      state.textContent = text;
    }
  }

  function line(data) {
    var kind = ["person", "bot", "coach", "system"].indexOf(data.from) >= 0 ? data.from : "bot";
    var item = el("li", "cb-line cb-line--" + kind + (data.crisis ? " cb-line--crisis" : ""));
    var meta = el("p", "cb-line__meta");
    if (data.crisis) {
      meta.appendChild(el("strong", "cb-crisis", T.crisis));
      meta.appendChild(document.createTextNode(" "));
    }
    meta.appendChild(el("span", "cb-line__who", data.who || ""));
    meta.appendChild(document.createTextNode(" "));
    var time = el("time", null, data.time || "");
    if (typeof data.at === "string") {
      time.setAttribute("datetime", data.at);
    }
    meta.appendChild(time);
    item.appendChild(meta);
    item.appendChild(el("p", "cb-line__text", data.text || ""));
    return item;
  }

  function show(lines) {
    var key = JSON.stringify(lines);
    if (key === shown) {
      return;
    }
    var grew = shown !== null && lines.length > JSON.parse(shown).length;
    var atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    shown = key;
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    lines.forEach(function (data) {
      if (data && typeof data === "object") {
        list.appendChild(line(data));
      }
    });
    if (atEnd || !grew) {
      list.scrollTop = list.scrollHeight;
    }
    say(lines.length ? (grew ? T.fresh : "") : T.empty);
  }

  function stop(text) {
    stopped = true;
    if (timer) {
      window.clearInterval(timer);
    }
    say(text);
  }

  function poll() {
    if (busy || stopped || document.visibilityState === "hidden") {
      return;
    }
    busy = true;
    fetch(src, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.redirected || response.status === 403 || response.status === 404) {
          stop(T.loggedOut);
          return null;
        }
        if (!response.ok) {
          throw new Error(T.down);
        }
        return response.json();
      })
      .then(function (body) {
        if (!body || !Array.isArray(body.lines)) {
          return;
        }
        show(body.lines);
        if (liveState) {
          liveState.textContent = body.live ? T.live : T.bot;
        }
      })
      .catch(function () {
        if (!stopped) {
          say(T.down);
        }
      })
      .finally(function () {
        busy = false;
      });
  }

  list.scrollTop = list.scrollHeight;
  timer = window.setInterval(poll, INTERVAL_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      poll();
    }
  });
})();
