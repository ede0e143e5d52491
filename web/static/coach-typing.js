/*
 * Loopbrug coach inbox: typing indicators on a ticket page, during a live chat.
 *
 * - The person types in the web widget: the status line #typing-state (role="status", so
 *   read politely, once per change) shows "De persoon typt…". The text comes from the
 *   server (typing.json, asked every 2 seconds while the chat is live, every 10 seconds
 *   otherwise). It goes when the server says so (6 seconds without a signal, or the message
 *   came in) or as soon as a new message of the person shows in the transcript.
 * - The coach types in the reply box (#reply, only there while the coach has the chat): at
 *   most every 3 seconds a POST to .../typing, and one "stopped" when the box is emptied
 *   or the reply is sent. The widget then shows "<naam> typt…"; Telegram shows "typing".
 *
 * Texts come from the server; without JavaScript the page works the same, without this.
 */
(function () {
  "use strict";

  var LIVE_MS = 2000;
  var IDLE_MS = 10000;
  var SIGNAL_EVERY_MS = 3000;

  var state = document.getElementById("typing-state");
  if (!state || !window.fetch) {
    return;
  }
  var src = state.getAttribute("data-src");
  var post = state.getAttribute("data-post");
  var csrf = state.getAttribute("data-csrf") || "";
  var timer = null;
  var busy = false;
  var stopped = false;
  var sentAt = 0;
  var active = false;

  function show(text) {
    if (state.textContent !== text) {
      state.textContent = text; // only on a change: a status region is read at each change
    }
  }

  function schedule(ms) {
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = stopped ? null : window.setTimeout(poll, ms);
  }

  function poll() {
    if (busy || stopped) {
      return;
    }
    if (document.visibilityState === "hidden") {
      schedule(IDLE_MS);
      return;
    }
    busy = true;
    var next = IDLE_MS;
    fetch(src, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 404 || response.redirected) {
          stopped = true; // logged out or no longer this coach's team: nothing to show
          show("");
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (!body) {
          return;
        }
        show(body.live && typeof body.typing === "string" ? body.typing : "");
        next = body.live ? LIVE_MS : IDLE_MS;
        if (body.open === false) {
          stopped = true; // a closed ticket's chat does not come back
        }
      })
      .catch(function () {
        /* offline for a moment: the next poll tries again */
      })
      .finally(function () {
        busy = false;
        schedule(next);
      });
  }

  // The ticket's state changed without a reload (coach.js puts a new #ticket-state in place,
  // e.g. after "Gesprek overnemen"): ask at once instead of after the idle interval.
  var ticketState = document.getElementById("ticket-state");
  if (ticketState && window.MutationObserver) {
    new MutationObserver(function () {
      if (!stopped) {
        schedule(0);
      }
    }).observe(ticketState, { childList: true, subtree: true, characterData: true });
  }

  // A new message of the person in the transcript (coach.js shows it): they stopped typing.
  var transcript = document.getElementById("transcript");
  if (transcript && window.MutationObserver) {
    var persons = transcript.querySelectorAll(".cb-line--person").length;
    new MutationObserver(function () {
      var now = transcript.querySelectorAll(".cb-line--person").length;
      if (now > persons) {
        show("");
      }
      persons = now;
    }).observe(transcript, { childList: true });
  }

  function signal(typing) {
    if (!post || !csrf) {
      return;
    }
    var body = new URLSearchParams();
    body.set("csrf", csrf);
    body.set("typing", typing ? "1" : "0");
    // keepalive: a "stopped" sent with the reply form still goes when the page reloads.
    fetch(post, { method: "POST", credentials: "same-origin", body: body, keepalive: true })
      .then(function (response) {
        if (response.status === 409) {
          active = false; // the chat is no longer this coach's: no more signals
        }
      })
      .catch(function () {
        /* a hint only: a lost signal costs nothing */
      });
  }

  function isReply(target) {
    return target && target.id === "reply";
  }

  // Delegated, so a reply box that is put in the page later works the same.
  document.addEventListener("input", function (event) {
    if (!isReply(event.target)) {
      return;
    }
    if (!event.target.value.trim()) {
      if (active) {
        active = false;
        sentAt = 0;
        signal(false);
      }
      return;
    }
    var now = Date.now();
    if (now - sentAt >= SIGNAL_EVERY_MS) {
      active = true;
      sentAt = now;
      signal(true);
    }
  });
  document.addEventListener(
    "submit",
    function (event) {
      var box = event.target && event.target.querySelector ? event.target.querySelector("#reply") : null;
      if (box && active) {
        active = false;
        sentAt = 0;
        signal(false); // the server ends it too when the reply is sent
      }
    },
    true,
  );
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      schedule(0);
    }
  });

  poll();
})();
