/*
 * Loopbrug coach inbox: an optional short tone for new work (a new ticket, a new message of
 * a person). Off until the coach turns it on in the header (kept in localStorage). The tone
 * is made with the Web Audio API: no sound file, nothing the CSP forbids. The other parts
 * call window.LoopbrugInbox.tone().
 */
(function () {
  "use strict";

  var KEY = "loopbrug-sound";
  var Context = window.AudioContext || window.webkitAudioContext;
  var control = document.getElementById("sound-control");
  var toggle = document.getElementById("sound-toggle");
  var audio = null;
  var inbox = { tone: function () {}, played: 0 };
  window.LoopbrugInbox = inbox;

  function isOn() {
    try {
      return window.localStorage.getItem(KEY) === "on";
    } catch (e) {
      return false;
    }
  }

  function wake() {
    // Browsers start audio only after the coach did something on the page.
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") {
        audio.resume();
      }
    } catch (e) {
      audio = null;
    }
  }

  inbox.tone = function () {
    if (!Context || !isOn()) {
      return;
    }
    inbox.played += 1;
    wake();
    if (!audio) {
      return;
    }
    var now = audio.currentTime;
    var wave = audio.createOscillator();
    var volume = audio.createGain();
    wave.type = "sine";
    wave.frequency.setValueAtTime(880, now);
    wave.frequency.setValueAtTime(660, now + 0.12);
    volume.gain.setValueAtTime(0.0001, now);
    volume.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, now + 0.3);
    wave.connect(volume);
    volume.connect(audio.destination);
    wave.start(now);
    wave.stop(now + 0.32);
  };

  if (!control || !toggle || !Context) {
    return;
  }
  control.hidden = false;
  toggle.checked = isOn();
  toggle.addEventListener("change", function () {
    try {
      window.localStorage.setItem(KEY, toggle.checked ? "on" : "off");
    } catch (e) {
      /* private mode: the choice lasts as long as the page */
    }
    if (toggle.checked) {
      wake();
    }
  });
  if (toggle.checked) {
    var once = function () {
      wake();
      document.removeEventListener("pointerdown", once);
      document.removeEventListener("keydown", once);
    };
    document.addEventListener("pointerdown", once);
    document.addEventListener("keydown", once);
  }
})();

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
  var KINDS = "loopbrug-unread-kind";
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

  function kinds() {
    try {
      var value = JSON.parse(window.sessionStorage.getItem(KINDS) || "{}");
      return value && typeof value === "object" ? value : {};
    } catch (e) {
      return {};
    }
  }

  function saveKinds(value) {
    try {
      window.sessionStorage.setItem(KINDS, JSON.stringify(value));
    } catch (e) {
      /* private mode */
    }
  }

  var opened = window.location.pathname.match(/^\/coach\/tickets\/([^\/]+)$/);
  if (opened) {
    var ref = decodeURIComponent(opened[1]);
    save(load().filter(function (r) { return r !== ref; }));
    var left = kinds();
    delete left[ref];
    saveKinds(left);
    return;
  }
  var box = document.getElementById("ticket-list");
  if (!box || !window.fetch || !window.DOMParser) {
    return;
  }
  var banner = document.getElementById("inbox-alert");
  var newLabel = box.getAttribute("data-new") || "";
  var messageLabel = box.getAttribute("data-message") || newLabel;
  var unreadKinds = kinds();
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
          row.cells[0].appendChild(badge);
        }
        // A person who wrote again ("is er al iemand?") shows as a new message.
        badge.textContent = unreadKinds[row.getAttribute("data-ref")] === "message" ? messageLabel : newLabel;
      } else if (badge) {
        badge.parentNode.removeChild(badge);
      }
    });
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
  }

  function remember(ref, urgency, kind) {
    // Only new work is unread: a new ticket or a new message of the person. A claim, a note
    // or a transfer (kind "update", the coach's own among them) only refreshes the row.
    if (typeof ref !== "string" || (kind !== "new" && kind !== "message")) {
      return;
    }
    if (unread.indexOf(ref) < 0) {
      unread.push(ref);
      save(unread);
    }
    if (unreadKinds[ref] !== "new") {
      unreadKinds[ref] = kind === "message" ? "message" : "new";
      saveKinds(unreadKinds);
    }
    if (kind === "new" || kind === "message") {
      window.LoopbrugInbox.tone();
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
            var before = seen[t.reference];
            var spoke = before !== undefined && before.split("|")[3] !== String(t.last_person_message_at || "");
            remember(t.reference, t.urgency, before === undefined ? "new" : spoke ? "message" : "update");
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
      remember(data.reference, data.urgency, data.kind);
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
 * Loopbrug coach inbox: the ticket page keeps itself up to date and works without reloads.
 *
 * - The transcript: read from transcript.json on every live event of this ticket
 *   (/coach/events, server-sent events, which also arrive in a background tab) and every
 *   3 seconds as a fallback, also while the tab is hidden. Lines are built with textContent.
 * - The ticket's state (status, coach, live, the actions): when an event names this ticket
 *   or transcript.json says the ticket changed, the page is read again and its parts marked
 *   data-refresh are put in place; what the coach typed and where the focus was stay.
 * - The forms: posted with fetch (Accept: application/json) instead of a page load; the
 *   answer's message is shown at the top, an error next to its field, nothing typed is lost.
 * - Canned replies: "Invoegen" puts the chosen text at the cursor in the reply box.
 * Without JavaScript every form posts and the page reloads as before. Texts come from the
 * page's data attributes.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 3000;
  var work = document.getElementById("ticket-work");
  var list = document.getElementById("transcript");
  if (!work || !list || !list.getAttribute("data-src") || !window.fetch || !window.DOMParser) {
    return;
  }
  var ref = work.getAttribute("data-ref");
  var pageUrl = work.getAttribute("data-page");
  var src = list.getAttribute("data-src");
  var state = document.getElementById("transcript-state");
  var flashBox = document.getElementById("ticket-flash");
  var inbox = window.LoopbrugInbox || { tone: function () {} };

  function t(name, fallback) {
    return work.getAttribute("data-t-" + name) || fallback;
  }

  var T = {
    down: t("down", ""),
    loggedOut: t("logged-out", ""),
    empty: t("empty", ""),
    fresh: t("fresh", ""),
    asks: t("asks", ""),
    changed: t("changed", ""),
    failed: t("failed", ""),
    crisis: t("crisis", ""),
    live: t("live", ""),
    bot: t("bot", ""),
  };
  // Where the coach works next, after each action (the element's id).
  var FOCUS_AFTER = {
    claim: "takeover-button",
    takeover: "reply",
    reply: "reply",
    handback: "takeover-button",
    notes: "note",
  };
  var shown = null;
  var stamp = null;
  var busy = false;
  var again = false;
  var stopped = false;
  var stickToEnd = false;
  var caret = null;
  // Each refreshed part as the server sent it, to put in place only what changed.
  var served = {};
  Array.prototype.forEach.call(document.querySelectorAll("[data-refresh][id]"), function (part) {
    served[part.id] = part.cloneNode(true);
  });

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

  function flash(text, isError) {
    if (!flashBox) {
      return null;
    }
    while (flashBox.firstChild) {
      flashBox.removeChild(flashBox.firstChild);
    }
    if (!text) {
      return null;
    }
    var note = el("p", "cb-flash" + (isError ? " cb-flash--error" : ""), text);
    note.setAttribute("role", isError ? "alert" : "status");
    note.setAttribute("tabindex", "-1");
    flashBox.appendChild(note);
    return note;
  }

  // -- the transcript ------------------------------------------------------------------------

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

  function fromPerson(lines) {
    return lines.filter(function (data) { return data && data.from === "person"; }).length;
  }

  function show(lines) {
    var key = JSON.stringify(lines);
    if (key === shown) {
      return;
    }
    var before = shown === null ? null : JSON.parse(shown);
    var grew = before !== null && lines.length > before.length;
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
    if (atEnd || !grew || stickToEnd) {
      list.scrollTop = list.scrollHeight;
    }
    stickToEnd = false;
    var spoke = before !== null && fromPerson(lines) > fromPerson(before);
    if (spoke) {
      inbox.tone();
    }
    say(lines.length ? (spoke ? T.asks : grew ? T.fresh : "") : T.empty);
  }

  function stop(text) {
    stopped = true;
    say(text);
  }

  function poll() {
    if (stopped) {
      return;
    }
    if (busy) {
      again = true;
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
        var liveState = document.getElementById("live-state");
        if (liveState) {
          liveState.textContent = body.live ? T.live : T.bot;
        }
        if (typeof body.state === "string") {
          if (stamp !== null && stamp !== body.state) {
            refreshState();
          }
          stamp = body.state;
        }
      })
      .catch(function () {
        if (!stopped) {
          say(T.down);
        }
      })
      .finally(function () {
        busy = false;
        if (again) {
          again = false;
          poll();
        }
      });
  }

  // -- the ticket's state --------------------------------------------------------------------

  function keep(part) {
    // What the coach typed or chose in a part, and the focus, by element id.
    var values = {};
    Array.prototype.forEach.call(part.querySelectorAll("textarea[id], select[id], input[id]"), function (field) {
      if (field.type === "hidden") {
        return;
      }
      values[field.id] = field.type === "checkbox" ? field.checked : field.value;
    });
    var active = document.activeElement;
    var focus = null;
    if (active && active.id && part.contains(active)) {
      focus = { id: active.id, start: active.selectionStart, end: active.selectionEnd };
    }
    return { values: values, focus: focus };
  }

  function restore(kept) {
    Object.keys(kept.values).forEach(function (id) {
      var field = document.getElementById(id);
      if (!field) {
        return;
      }
      if (field.type === "checkbox") {
        field.checked = kept.values[id];
      } else if (kept.values[id] !== "") {
        field.value = kept.values[id];
      }
    });
    if (kept.focus) {
      var target = document.getElementById(kept.focus.id);
      if (target) {
        target.focus({ preventScroll: true });
        if (typeof kept.focus.start === "number" && target.setSelectionRange) {
          try {
            target.setSelectionRange(kept.focus.start, kept.focus.end);
          } catch (e) {
            /* not a text field */
          }
        }
      }
    }
  }

  var reading = null;
  var readAgain = false;

  function refreshState() {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = fetch(pageUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (response.redirected || response.status === 403) {
          stop(T.loggedOut);
          return null;
        }
        if (response.status === 404) {
          // Transferred to a team the coach is not in: no longer theirs to see.
          stop(T.changed);
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        Object.keys(served).forEach(function (id) {
          var part = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (!part || !next || next.isEqualNode(served[id])) {
            return;
          }
          var kept = keep(part);
          served[id] = next.cloneNode(true);
          while (part.firstChild) {
            part.removeChild(part.firstChild);
          }
          while (next.firstChild) {
            part.appendChild(document.adoptNode(next.firstChild));
          }
          restore(kept);
        });
      })
      .catch(function () {
        /* the next event or poll tries again */
      })
      .finally(function () {
        reading = null;
        if (readAgain) {
          readAgain = false;
          refreshState();
        }
      });
    return reading;
  }

  // -- the forms -----------------------------------------------------------------------------

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".cb-field-error"), function (note) {
      var field = document.getElementById(note.getAttribute("data-for"));
      if (field) {
        var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== note.id;
        });
        if (ids.length) {
          field.setAttribute("aria-describedby", ids.join(" "));
        } else {
          field.removeAttribute("aria-describedby");
        }
        field.removeAttribute("aria-invalid");
      }
      note.parentNode.removeChild(note);
    });
  }

  function fieldError(form, name, text) {
    var field = name ? form.elements[name] : null;
    if (!field || !field.id || field.type === "hidden") {
      return false;
    }
    var note = el("p", "cb-field-error", text);
    note.id = field.id + "-error";
    note.setAttribute("role", "alert");
    note.setAttribute("data-for", field.id);
    var holder = field.closest("p") || field;
    holder.parentNode.insertBefore(note, holder.nextSibling);
    var ids = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    ids.push(note.id);
    field.setAttribute("aria-describedby", ids.join(" "));
    field.setAttribute("aria-invalid", "true");
    field.focus();
    return true;
  }

  function focusAfter(kind, note) {
    var target = document.getElementById(FOCUS_AFTER[kind] || "") || note || document.getElementById("ticket-title");
    if (!target) {
      return;
    }
    target.focus({ preventScroll: true });
    // The conversation and the reply box belong together on screen: the chat panel's top
    // first, then whatever still lacks to show the whole field.
    var chat = target.closest(".cb-work__chat");
    if (chat) {
      chat.scrollIntoView({ block: "start" });
    }
    target.scrollIntoView({ block: "nearest" });
  }

  function post(form, kind) {
    var buttons = form.querySelectorAll("button");
    form.setAttribute("aria-busy", "true");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      body.append(name, value);
    });
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
      body: body,
    })
      .then(function (response) {
        return response.json().then(
          function (answer) { return answer; },
          function () { return { ok: false }; }
        );
      })
      .then(function (answer) {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        form.removeAttribute("aria-busy");
        if (answer.ok) {
          if (answer.redirect) {
            window.location.assign(answer.redirect);
            return null;
          }
          Array.prototype.forEach.call(form.querySelectorAll("textarea, select"), function (field) {
            field.value = "";
          });
          var note = flash(answer.message || "", false);
          stickToEnd = true;
          poll();
          return refreshState().then(function () {
            focusAfter(kind, note);
          });
        }
        var text = answer.error || T.failed;
        if (!fieldError(form, answer.field, text)) {
          flash(text, true);
          refreshState();
        }
        return null;
      })
      .catch(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        form.removeAttribute("aria-busy");
        flash(T.failed, true);
      });
  }

  function insertCanned() {
    var choice = document.getElementById("canned");
    var box = document.getElementById("reply");
    if (!choice || !box) {
      return;
    }
    var option = choice.options[choice.selectedIndex];
    if (!option || !option.value) {
      choice.focus();
      return;
    }
    var words = option.getAttribute("data-text") || "";
    var value = box.value;
    var start = caret ? Math.min(caret.start, value.length) : value.length;
    var end = caret ? Math.min(caret.end, value.length) : value.length;
    var before = value.slice(0, start);
    var after = value.slice(end);
    if (before && !/\s$/.test(before)) {
      words = " " + words;
    }
    if (after && !/^\s/.test(after)) {
      words += " ";
    }
    box.value = before + words + after;
    var at = (before + words).length;
    box.focus();
    box.setSelectionRange(at, at);
    caret = { start: at, end: at };
    choice.value = "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.tagName !== "FORM" || !work.contains(form)) {
      return;
    }
    if (form.id === "canned-form") {
      event.preventDefault();
      insertCanned();
      return;
    }
    var action = form.getAttribute("action") || "";
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" || action.indexOf(pageUrl + "/") !== 0) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    clearErrors(form);
    post(form, action.slice(pageUrl.length + 1));
  });

  // Ctrl+Enter (Cmd+Enter) in the reply box sends it; Enter alone starts a new line.
  work.addEventListener("keydown", function (event) {
    var box = event.target;
    if (box && box.id === "reply" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (box.form && box.form.requestSubmit) {
        box.form.requestSubmit();
      }
    }
  });

  // Where the cursor was in the reply box, for "Invoegen" (the select takes the focus).
  ["keyup", "mouseup", "input", "select"].forEach(function (name) {
    work.addEventListener(name, function (event) {
      if (event.target && event.target.id === "reply") {
        caret = { start: event.target.selectionStart, end: event.target.selectionEnd };
      }
    });
  });

  // -- live events, and polling as the fallback ----------------------------------------------

  list.scrollTop = list.scrollHeight;
  poll();
  // Also in a background tab: a coach who works in another tab still gets the new lines.
  window.setInterval(poll, INTERVAL_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      poll(); // a browser may have slowed the timer down while the tab was hidden
    }
  });
  var events = work.getAttribute("data-events");
  if (window.EventSource && events) {
    var source = new window.EventSource(events);
    source.addEventListener("ticket", function (event) {
      var data = null;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!data || typeof data !== "object") {
        return;
      }
      if (data.reference === ref) {
        poll();
        refreshState();
      } else if (data.kind === "new") {
        inbox.tone();
      }
    });
  }
})();
