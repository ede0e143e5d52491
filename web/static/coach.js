/*
 * Loopbrug coach inbox: the ticket list shows new work by itself.
 * It listens to /coach/events (server-sent events; EventSource also runs in a background
 * tab) and on each event reads the list page again and puts its table in place, without a
 * reload. New or changed tickets are bold with a badge until the coach opens them (kept in
 * sessionStorage); their number is in the page title; a crisis ticket shows a banner
 * (role="alert"). Without EventSource, or when the stream is refused, it asks the JSON API
 * every 15 seconds instead. Texts come from the page's data attributes.
 */
(function () {
  "use strict";

  var KEY = "loopbrug-unread";
  var POLL_MS = 15000;

  function load() {
    try {
      var value = JSON.parse(window.sessionStorage.getItem(KEY) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (e) {
      return [];
    }
  }

  function save(refs) {
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(refs));
    } catch (e) {
      /* private mode: unread marks last as long as the page */
    }
  }

  var opened = window.location.pathname.match(/^\/coach\/tickets\/([^\/]+)$/);
  if (opened) {
    var ref = decodeURIComponent(opened[1]);
    save(load().filter(function (r) { return r !== ref; }));
    return;
  }
  var box = document.getElementById("ticket-list");
  if (!box || !window.fetch || !window.DOMParser) {
    return;
  }
  var banner = document.getElementById("inbox-alert");
  var newLabel = box.getAttribute("data-new") || "";
  var crisisText = box.getAttribute("data-crisis") || "";
  var api = box.getAttribute("data-api");
  var baseTitle = document.title;
  var unread = load();
  var busy = false;
  var again = false;
  var stopped = false;
  var poller = null;
  var seen = null;

  function mark() {
    var count = 0;
    Array.prototype.forEach.call(box.querySelectorAll("tr[data-ref]"), function (row) {
      var fresh = unread.indexOf(row.getAttribute("data-ref")) >= 0;
      var badge = row.querySelector(".cb-badge");
      row.classList.toggle("cb-row--unread", fresh);
      if (fresh) {
        count += 1;
        if (!badge && row.cells.length) {
          badge = document.createElement("span");
          badge.className = "cb-badge";
          badge.textContent = newLabel;
          row.cells[0].appendChild(badge);
        }
      } else if (badge) {
        badge.parentNode.removeChild(badge);
      }
    });
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
  }

  function remember(ref, urgency) {
    if (typeof ref !== "string") {
      return;
    }
    if (unread.indexOf(ref) < 0) {
      unread.push(ref);
      save(unread);
    }
    if (urgency === "crisis" && banner) {
      banner.textContent = crisisText.replace("{ref}", ref);
      banner.hidden = false;
    }
  }

  function refresh() {
    if (stopped) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("ticket-list");
        if (!fresh) {
          return;
        }
        while (box.firstChild) {
          box.removeChild(box.firstChild);
        }
        while (fresh.firstChild) {
          box.appendChild(document.adoptNode(fresh.firstChild));
        }
        mark();
      })
      .catch(function () {
        /* the next event or poll tries again */
      })
      .finally(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function poll() {
    fetch(api, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) {
          stopped = true;
          window.clearInterval(poller);
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (!body || !Array.isArray(body.tickets)) {
          return;
        }
        var now = {};
        var changed = false;
        body.tickets.forEach(function (t) {
          var stamp = [t.status, t.urgency, t.coach, t.last_person_message_at, t.live].join("|");
          now[t.reference] = stamp;
          if (seen !== null && seen[t.reference] !== stamp) {
            changed = true;
            remember(t.reference, t.urgency);
          }
        });
        seen = now;
        if (changed) {
          refresh();
        }
      })
      .catch(function () {
        /* try again at the next poll */
      });
  }

  function startPolling() {
    if (poller === null && api) {
      poll();
      poller = window.setInterval(poll, POLL_MS);
    }
  }

  mark();
  if (!window.EventSource || !box.getAttribute("data-events")) {
    startPolling();
    return;
  }
  var source = new window.EventSource(box.getAttribute("data-events"));
  source.addEventListener("ticket", function (event) {
    var data = null;
    try {
      data = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (data && typeof data === "object") {
      remember(data.reference, data.urgency);
      refresh();
    }
  });
  source.onerror = function () {
    // A dropped stream comes back by itself; one that is refused (401, server gone for good)
    // is closed: then the list asks the JSON API instead.
    if (source.readyState === window.EventSource.CLOSED) {
      startPolling();
    }
  };
})();

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
