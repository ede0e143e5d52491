/*
 * Loopbrug chat widget. One tag adds it to a page:
 *   <script src="https://<loopbrug-server>/widget.js" defer></script>
 * No framework, no build step. It talks to the server it was loaded from (/api/...).
 *
 * Safety: every text from the bot, a coach or the person is put in the page with
 * textContent, never as HTML. The server issues the session id (kept in localStorage);
 * a reload restores the conversation from /api/history.
 *
 * When a coach takes over, their messages do not come as answers to the person's own
 * messages: the widget asks /api/updates for new ones every few seconds while the page is
 * visible, and shows "Je praat met <naam>" above the input while the coach has the chat.
 *
 * Typing during a live chat: while the person types, the widget tells the server at most
 * every 3 seconds (POST /api/typing, and once "stopped" when the box is emptied), so the
 * coach sees "De persoon typt…". While the coach types, /api/updates carries the coach's
 * name and the status line under the log shows "<naam> typt…" (polite, and only written
 * when it changes, so a screen reader hears it once). It goes when the coach's message
 * arrives or after 6 seconds without a new signal. No signal is sent when no coach has
 * the chat.
 */
(function () {
  "use strict";

  if (window.loopbrugWidget) {
    return; // the tag is on the page twice
  }

  var script = document.currentScript;
  var BASE = script && script.src ? new URL(script.src, window.location.href).origin : "";
  var PREFIX = "lb-";
  var KEY_SESSION = "loopbrug.session";
  var FILE_LINK = /^\/api\/file\/[A-Za-z0-9_-]{32}$/; // a download link of this server only
  var KEY_PRIVACY = "loopbrug.privacy";
  var KEY_OPEN = "loopbrug.open";
  var MAX_CHARS = 2000;
  var TIMEOUT_MS = 30000;
  var UPDATE_MS = 4000;
  var LIVE_UPDATE_MS = 2000; // a coach has the chat: their messages and "typt…" come sooner
  var TYPING_EVERY_MS = 3000; // at most one "I am typing" to the server in this time
  var TYPING_SHOWN_MS = 6000; // the coach's "typt…" without a new signal

  var T = {
    launcher: "Chat met Loopbrug",
    region: "Chat met Loopbrug",
    title: "Loopbrug",
    subtitle: "Digitale assistent",
    privacyButton: "Privacy",
    newChat: "Nieuw gesprek",
    close: "Chat sluiten",
    privacyTitle: "Voordat je begint",
    privacyMore: "Alles over je gegevens",
    privacyPage: "Lees dit ook op een aparte pagina",
    privacy: [
      "Loopbrug is een digitale assistent. Je praat dus niet met een mens.",
      "We bewaren wat je typt en wat Loopbrug antwoordt. Zo kun je later verder met je gesprek.",
      "Een coach leest alleen mee als jij daar ja op zegt.",
      "Deel geen BSN (burgerservicenummer), bankgegevens of wachtwoorden.",
      "Deze computer of telefoon onthoudt je gesprek. Gebruik je een apparaat van een ander? Kies dan aan het eind 'Nieuw gesprek'.",
    ],
    start: "Start het gesprek",
    back: "Terug naar het gesprek",
    log: "Gesprek",
    replies: "Kies een antwoord",
    label: "Jouw bericht",
    send: "Verstuur",
    typing: "Loopbrug typt…",
    coachTyping: " typt…",
    coachTypingAnyone: "De coach typt…",
    you: "Jij",
    bot: "Loopbrug",
    coach: "coach",
    coachAlone: "Coach",
    notice: "Melding",
    offline: "Je bericht kwam niet aan. Controleer je internet en probeer het opnieuw.",
    historyFailed: "Je eerdere berichten kunnen nu niet geladen worden.",
    restarted: "Je begint een nieuw gesprek.",
    tooLong: "Je bericht is te lang. Gebruik maximaal " + MAX_CHARS + " tekens.",
    liveWith: "Je praat met ",
    liveAnyone: "Je praat met een coach",
    download: "Download: ",
  };

  // -- storage (may be blocked, e.g. in some private modes: the widget still works) ----------
  function load(store, key) {
    try {
      return window[store].getItem(key);
    } catch (e) {
      return null;
    }
  }
  function save(store, key, value) {
    try {
      if (value === null) {
        window[store].removeItem(key);
      } else {
        window[store].setItem(key, value);
      }
    } catch (e) {
      /* not remembered; nothing else breaks */
    }
  }

  // -- DOM helpers: text only ----------------------------------------------------------------
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
  function attrs(node, values) {
    Object.keys(values).forEach(function (name) {
      node.setAttribute(name, values[name]);
    });
    return node;
  }
  function button(className, text) {
    return attrs(el("button", className, text), { type: "button" });
  }

  // -- build the widget ------------------------------------------------------------------------
  var ids = {
    panel: PREFIX + "panel",
    title: PREFIX + "title",
    input: PREFIX + "input",
    privacyTitle: PREFIX + "privacy-title",
  };

  var root = attrs(el("aside", "lb-widget"), { "aria-label": T.region });
  var launcher = attrs(button("lb-launcher", T.launcher), {
    "aria-expanded": "false",
    "aria-controls": ids.panel,
  });
  var panel = attrs(el("div", "lb-panel"), {
    id: ids.panel,
    role: "dialog",
    "aria-labelledby": ids.title,
  });
  panel.hidden = true;

  var header = el("div", "lb-header");
  var titles = el("div", "lb-titles");
  titles.appendChild(attrs(el("h2", "lb-title", T.title), { id: ids.title }));
  titles.appendChild(el("p", "lb-subtitle", T.subtitle));
  var tools = el("div", "lb-tools");
  var privacyButton = button("lb-tool", T.privacyButton);
  var newChatButton = button("lb-tool", T.newChat);
  var closeButton = attrs(button("lb-tool lb-close", "×"), { "aria-label": T.close });
  tools.appendChild(privacyButton);
  tools.appendChild(newChatButton);
  tools.appendChild(closeButton);
  header.appendChild(titles);
  header.appendChild(tools);

  var privacy = attrs(el("section", "lb-privacy"), { "aria-labelledby": ids.privacyTitle });
  var privacyHeading = attrs(el("h3", "lb-privacy__title", T.privacyTitle), {
    id: ids.privacyTitle,
    tabindex: "-1",
  });
  privacy.appendChild(privacyHeading);
  var privacyList = el("ul", "lb-privacy__list");
  T.privacy.forEach(function (line) {
    privacyList.appendChild(el("li", null, line));
  });
  privacy.appendChild(privacyList);
  // The full statement: the same text the bot gives (data/privacy.yml via /api/privacy).
  var privacyMore = el("details", "lb-privacy__more");
  privacyMore.appendChild(el("summary", null, T.privacyMore));
  var privacyMoreList = el("ul", "lb-privacy__list");
  privacyMore.appendChild(privacyMoreList);
  var privacyLink = attrs(el("a", "lb-privacy__link", T.privacyPage), {
    href: BASE + "/privacy",
    target: "_blank",
    rel: "noopener",
  });
  privacyMore.appendChild(privacyLink);
  privacyMore.hidden = true;
  var startButton = button("lb-primary lb-start", T.start);
  privacy.appendChild(startButton);
  privacy.appendChild(privacyMore); // after the button: starting stays one Tab away

  var chat = el("div", "lb-chat");
  var log = attrs(el("div", "lb-log"), {
    role: "log",
    "aria-live": "polite",
    "aria-label": T.log,
    tabindex: "0",
  });
  var typing = attrs(el("div", "lb-typing"), { role: "status", "aria-live": "polite" });
  var replies = attrs(el("div", "lb-replies"), { role: "group", "aria-label": T.replies });
  replies.hidden = true;
  var form = attrs(el("form", "lb-form"), { novalidate: "" });
  var liveLine = el("p", "lb-live");
  liveLine.hidden = true;
  var label = attrs(el("label", "lb-label", T.label), { for: ids.input });
  var row = el("div", "lb-row");
  var input = attrs(el("input", "lb-input"), {
    id: ids.input,
    type: "text",
    name: "message",
    autocomplete: "off",
    maxlength: String(MAX_CHARS),
    enterkeyhint: "send",
  });
  var sendButton = attrs(el("button", "lb-primary lb-send", T.send), { type: "submit" });
  row.appendChild(input);
  row.appendChild(sendButton);
  form.appendChild(liveLine);
  form.appendChild(label);
  form.appendChild(row);
  chat.appendChild(log);
  chat.appendChild(typing);
  chat.appendChild(replies);
  chat.appendChild(form);

  panel.appendChild(header);
  panel.appendChild(privacy);
  panel.appendChild(chat);
  root.appendChild(panel);
  root.appendChild(launcher);

  // -- state -----------------------------------------------------------------------------------
  var busy = false;
  var historyLoaded = false;
  var sessionRequest = null;
  // Coach messages fetched from /api/updates: for which session, after which relay id.
  var relay = {
    session: null,
    cursor: null,
    timer: null,
    every: 0,
    busy: false,
    coach: "",
    live: false,
  };
  // Typing: the coach's (shown under the log) and the person's (sent to the server).
  var coachTyping = { name: "", timer: null };
  var typingShown = ""; // what the status line under the log says now
  var personTyping = { active: false, sentAt: 0 };

  function session() {
    return load("localStorage", KEY_SESSION);
  }

  // -- rendering (exported for tests as window.loopbrugWidget.render) ------------------------
  function who(message) {
    if (message.from === "coach") {
      return message.name ? message.name + ", " + T.coach : T.coachAlone;
    }
    if (message.from === "user") {
      return T.you;
    }
    if (message.from === "system") {
      return T.notice;
    }
    return T.bot;
  }

  function render(message) {
    var kind = ["user", "bot", "coach", "system"].indexOf(message.from) >= 0 ? message.from : "bot";
    var item = el("div", "lb-msg lb-msg--" + kind);
    var name = el("p", "lb-msg__who", who(message));
    if (kind === "bot" || kind === "user") {
      // The bubble's side and colour say who speaks; screen readers hear the name.
      name.className += " lb-sr";
    }
    item.appendChild(name);
    item.appendChild(el("p", "lb-msg__text", message.text || ""));
    var file = message.file;
    var id = session();
    if (file && typeof file.url === "string" && FILE_LINK.test(file.url) && id) {
      // A file the bot made for this person: a link to the server, which checks the session.
      var name = typeof file.name === "string" ? file.name : "";
      var link = attrs(el("a", "lb-msg__file", T.download + name), {
        href: BASE + file.url + "?session=" + encodeURIComponent(id),
        download: name,
      });
      var line = el("p");
      line.appendChild(link);
      item.appendChild(line);
    }
    return item;
  }

  function noteCoach(message) {
    if (message && message.from === "coach" && typeof message.name === "string" && message.name) {
      relay.coach = message.name;
    }
  }

  function addMessage(message) {
    noteCoach(message);
    log.appendChild(render(message));
    log.scrollTop = log.scrollHeight;
  }

  function showReplies(buttons) {
    while (replies.firstChild) {
      replies.removeChild(replies.firstChild);
    }
    (buttons || []).forEach(function (b) {
      if (!b || typeof b.title !== "string") {
        return;
      }
      var quick = button("lb-reply", b.title);
      quick.addEventListener("click", function () {
        send(typeof b.payload === "string" && b.payload ? b.payload : b.title, b.title);
      });
      replies.appendChild(quick);
    });
    replies.hidden = !replies.firstChild;
  }

  function showTurn(data, fromHistory) {
    var first = null;
    (data.messages || []).forEach(function (message) {
      noteCoach(message);
      var item = render(message);
      log.appendChild(item);
      first = first || item;
    });
    showReplies(data.buttons);
    if (first && !fromHistory) {
      // Show a new answer from its start; a long one is read from the top.
      var offset = first.getBoundingClientRect().top - log.getBoundingClientRect().top;
      log.scrollTop += Math.max(0, offset - 8);
    } else {
      log.scrollTop = log.scrollHeight;
    }
  }

  // The status line under the log: the bot's pending answer wins, then the coach typing.
  // Written only when its text changes: a polite live region is read once per change.
  function showTyping() {
    var text = "";
    if (busy) {
      text = T.typing;
    } else if (coachTyping.name) {
      text = coachTyping.name === true ? T.coachTypingAnyone : coachTyping.name + T.coachTyping;
    }
    if (text === typingShown) {
      return;
    }
    typingShown = text;
    while (typing.firstChild) {
      typing.removeChild(typing.firstChild);
    }
    if (text) {
      typing.appendChild(attrs(el("span", "lb-dots"), { "aria-hidden": "true" }));
      typing.appendChild(el("span", "lb-typing__text", text));
    }
  }

  function setBusy(value) {
    busy = value;
    panel.setAttribute("aria-busy", value ? "true" : "false");
    showTyping();
  }

  function setCoachTyping(name) {
    if (coachTyping.timer) {
      window.clearTimeout(coachTyping.timer);
      coachTyping.timer = null;
    }
    coachTyping.name = name;
    if (name) {
      coachTyping.timer = window.setTimeout(function () {
        setCoachTyping(""); // no new signal: the coach stopped
      }, TYPING_SHOWN_MS);
    }
    showTyping();
  }

  // -- server calls ----------------------------------------------------------------------------
  function call(path, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, TIMEOUT_MS)
      : null;
    var init = Object.assign(
      { credentials: "omit", headers: { Accept: "application/json" } },
      options || {},
    );
    if (controller) {
      init.signal = controller.signal;
    }
    return fetch(BASE + path, init)
      .catch(function () {
        throw new Error(T.offline); // no connection, or no answer in time
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { status: response.status, body: body || {} };
          });
      })
      .finally(function () {
        if (timer) {
          window.clearTimeout(timer);
        }
      });
  }

  function postJSON(path, body) {
    return call(path, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  function ensureSession() {
    var known = session();
    if (known) {
      return Promise.resolve(known);
    }
    if (!sessionRequest) {
      sessionRequest = postJSON("/api/session", {})
        .then(function (reply) {
          if (reply.status !== 200 || typeof reply.body.session !== "string") {
            throw new Error(reply.body.error || T.offline);
          }
          save("localStorage", KEY_SESSION, reply.body.session);
          historyLoaded = true; // a new conversation has no history
          startUpdates();
          return reply.body.session;
        })
        .finally(function () {
          sessionRequest = null;
        });
    }
    return sessionRequest;
  }

  function deliver(text, retried) {
    return ensureSession()
      .then(function (id) {
        return postJSON("/api/message", { session: id, message: text });
      })
      .then(function (reply) {
        if (reply.status === 403 && !retried) {
          save("localStorage", KEY_SESSION, null); // not (or no longer) known: start afresh
          return deliver(text, true);
        }
        if (reply.status !== 200) {
          throw new Error(reply.body.error || T.offline);
        }
        return reply.body;
      });
  }

  // The person types: tell the coach, only while a coach has the chat.
  function signalTyping(now) {
    var id = session();
    if (!id || !relay.live || id !== relay.session) {
      personTyping.active = false;
      return;
    }
    postJSON("/api/typing", { session: id, typing: now }).catch(function () {
      /* a hint only: a lost signal costs nothing */
    });
  }

  function personTyped() {
    var empty = !input.value.trim();
    if (empty) {
      if (personTyping.active) {
        personTyping.active = false;
        personTyping.sentAt = 0;
        signalTyping(false);
      }
      return;
    }
    var now = Date.now();
    if (relay.live && now - personTyping.sentAt >= TYPING_EVERY_MS) {
      personTyping.active = true;
      personTyping.sentAt = now;
      signalTyping(true);
    }
  }

  function send(text, shownAs) {
    if (busy) {
      return;
    }
    // The message itself ends "De persoon typt…" on the server (POST /api/message).
    personTyping.active = false;
    personTyping.sentAt = 0;
    var message = String(text || "").trim();
    if (!message) {
      input.focus();
      return;
    }
    if (message.length > MAX_CHARS) {
      addMessage({ from: "system", text: T.tooLong });
      return;
    }
    addMessage({ from: "user", text: shownAs || message });
    showReplies([]);
    if (document.activeElement !== input) {
      input.focus(); // the quick reply that had focus is gone
    }
    setBusy(true);
    deliver(message, false)
      .then(function (data) {
        showTurn(data, false);
      })
      .catch(function (problem) {
        addMessage({ from: "system", text: (problem && problem.message) || T.offline });
      })
      .finally(function () {
        setBusy(false);
      });
  }

  // -- coach messages (live takeover) -----------------------------------------------------
  function showLive(live) {
    relay.live = live;
    liveLine.textContent = live ? (relay.coach ? T.liveWith + relay.coach : T.liveAnyone) : "";
    liveLine.hidden = !live;
    if (!live && coachTyping.name) {
      setCoachTyping("");
    }
  }

  // Poll sooner while a coach has the chat.
  function pollEvery(ms) {
    if (relay.timer && relay.every === ms) {
      return;
    }
    if (relay.timer) {
      window.clearInterval(relay.timer);
    }
    relay.every = ms;
    relay.timer = window.setInterval(pollUpdates, ms);
  }

  function stopUpdates() {
    if (relay.timer) {
      window.clearInterval(relay.timer);
    }
    relay.session = null;
    relay.cursor = null;
    relay.timer = null;
    relay.every = 0;
    relay.coach = "";
    personTyping.active = false;
    showLive(false);
  }

  function pollUpdates() {
    var id = session();
    if (!id || id !== relay.session) {
      if (relay.session) {
        stopUpdates(); // the conversation was replaced; the new one starts its own
      }
      return;
    }
    if (relay.busy || (relay.cursor !== null && document.visibilityState === "hidden")) {
      return; // the cursor is fetched at once, so nothing that comes later is skipped
    }
    relay.busy = true;
    var path = "/api/updates?session=" + encodeURIComponent(id);
    if (relay.cursor !== null) {
      path += "&after=" + encodeURIComponent(String(relay.cursor));
    }
    call(path)
      .then(function (reply) {
        if (id !== relay.session) {
          return; // a new conversation began meanwhile
        }
        if (reply.status === 403) {
          stopUpdates();
          return;
        }
        if (reply.status !== 200) {
          return; // try again next time
        }
        var body = reply.body;
        if (relay.cursor !== null && Array.isArray(body.messages)) {
          var offered = null;
          body.messages.forEach(function (message) {
            if (message && typeof message.text === "string" && message.text) {
              if (message.from === "coach") {
                setCoachTyping(""); // the message is here: no more "typt…"
              }
              addMessage({
                from: message.from === "coach" ? "coach" : "bot",
                name: typeof message.name === "string" ? message.name : undefined,
                text: message.text,
              });
              // The quick replies of the newest message (a question of the helpline such
              // as "Heeft de coach je geholpen?"); a message without them clears the old.
              offered = Array.isArray(message.buttons) ? message.buttons : [];
            }
          });
          if (offered !== null) {
            showReplies(offered);
          }
        }
        if (typeof body.cursor === "number") {
          relay.cursor = body.cursor;
        }
        if (typeof body.coach === "string" && body.coach) {
          relay.coach = body.coach;
        }
        showLive(body.live === true);
        if (body.live === true && typeof body.typing === "string") {
          setCoachTyping(body.typing || true);
        } else if (coachTyping.name) {
          setCoachTyping("");
        }
        if (relay.timer) {
          pollEvery(body.live === true ? LIVE_UPDATE_MS : UPDATE_MS);
        }
      })
      .catch(function () {
        /* offline for a moment: the next poll tries again */
      })
      .finally(function () {
        relay.busy = false;
      });
  }

  function startUpdates() {
    var id = session();
    if (!id) {
      return;
    }
    if (relay.session !== id) {
      if (relay.session !== null) {
        stopUpdates(); // another conversation: its cursor and coach do not apply
      }
      relay.session = id;
    }
    if (!relay.timer) {
      pollEvery(UPDATE_MS);
    }
    if (relay.cursor === null) {
      pollUpdates(); // first call: only the cursor, everything before is in the history
    }
  }

  function restoreHistory() {
    var id = session();
    if (historyLoaded || !id) {
      historyLoaded = true;
      startUpdates();
      return;
    }
    historyLoaded = true;
    setBusy(true);
    call("/api/history?session=" + encodeURIComponent(id))
      .then(function (reply) {
        if (reply.status === 403) {
          save("localStorage", KEY_SESSION, null); // unknown to the server: a new one comes
          return;
        }
        if (reply.status !== 200) {
          throw new Error(reply.body.error || T.historyFailed);
        }
        showTurn(reply.body, true);
      })
      .catch(function () {
        addMessage({ from: "system", text: T.historyFailed });
      })
      .finally(function () {
        setBusy(false);
        startUpdates();
      });
  }

  // -- views and focus -----------------------------------------------------------------------
  var privacyLoaded = false;
  function loadPrivacy() {
    if (privacyLoaded) {
      return;
    }
    privacyLoaded = true;
    call("/api/privacy")
      .then(function (reply) {
        var lines = reply.status === 200 && Array.isArray(reply.body.lines) ? reply.body.lines : [];
        lines.forEach(function (line) {
          if (typeof line === "string" && line) {
            privacyMoreList.appendChild(el("li", null, line));
          }
        });
        privacyMore.hidden = privacyMoreList.childNodes.length === 0;
        if (privacyMore.hidden) {
          privacyLoaded = false; // try again next time the panel opens
        }
      })
      .catch(function () {
        privacyLoaded = false;
      });
  }

  function showPrivacy(moveFocus) {
    loadPrivacy();
    privacy.hidden = false;
    chat.hidden = true;
    startButton.textContent = load("localStorage", KEY_PRIVACY) ? T.back : T.start;
    privacyButton.setAttribute("aria-pressed", "true");
    if (moveFocus) {
      privacyHeading.focus();
    }
  }

  function showChat(moveFocus) {
    privacy.hidden = true;
    chat.hidden = false;
    privacyButton.setAttribute("aria-pressed", "false");
    restoreHistory();
    log.scrollTop = log.scrollHeight;
    if (moveFocus) {
      input.focus();
    }
  }

  function open(moveFocus) {
    panel.hidden = false;
    root.classList.add("lb-widget--open");
    launcher.setAttribute("aria-expanded", "true");
    save("sessionStorage", KEY_OPEN, "1");
    if (load("localStorage", KEY_PRIVACY)) {
      showChat(moveFocus);
    } else {
      showPrivacy(moveFocus);
    }
  }

  function close() {
    panel.hidden = true;
    root.classList.remove("lb-widget--open");
    launcher.setAttribute("aria-expanded", "false");
    save("sessionStorage", KEY_OPEN, null);
    launcher.focus();
  }

  function newConversation() {
    if (!load("localStorage", KEY_PRIVACY)) {
      showPrivacy(true); // the notice comes first, always
      return;
    }
    save("localStorage", KEY_SESSION, null);
    stopUpdates();
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    showReplies([]);
    historyLoaded = true;
    addMessage({ from: "system", text: T.restarted });
    showChat(true);
  }

  // -- events ----------------------------------------------------------------------------------
  launcher.addEventListener("click", function () {
    if (panel.hidden) {
      open(true);
    } else {
      close();
    }
  });
  closeButton.addEventListener("click", close);
  newChatButton.addEventListener("click", newConversation);
  privacyButton.addEventListener("click", function () {
    if (privacy.hidden) {
      showPrivacy(true);
    } else if (load("localStorage", KEY_PRIVACY)) {
      showChat(true);
    }
  });
  startButton.addEventListener("click", function () {
    save("localStorage", KEY_PRIVACY, "1");
    showChat(true);
  });
  input.addEventListener("input", personTyped);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    var text = input.value;
    input.value = "";
    send(text);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && relay.timer) {
      pollUpdates();
    }
  });
  root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      event.preventDefault();
      close();
    }
  });

  // -- start -----------------------------------------------------------------------------------
  function ensureStyles() {
    var href = BASE + "/widget.css";
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].href === new URL(href, window.location.href).href) {
        return;
      }
    }
    document.head.appendChild(attrs(el("link"), { rel: "stylesheet", href: href }));
  }

  function start() {
    ensureStyles();
    document.body.appendChild(root);
    if (load("sessionStorage", KEY_OPEN)) {
      open(false); // it was open before the reload; do not move the person's focus
    }
  }

  window.loopbrugWidget = {
    open: function () {
      open(true);
    },
    close: close,
    render: render,
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
